"""A hostile guest against the host: isolation findings, each with the guest that shows it."""

from skiff import Vm, assert_tap_passed, boot


def heartbeats(beats=40):
    """One heartbeat VM pinned to each host CPU: a CPU stuck in EL2 stops its heart."""
    return [Vm(f"beat{cpu}", "heartbeat", cpu=cpu, extra=f'bootargs = "beats={beats}";')
            for cpu in (0, 1)]


def test_psci_calls_racing_resets_never_stop_a_host_cpu():
    """CPU_ON on itself and on siblings, CPU_OFF, while another vCPU resets the VM: before,
    a vCPU inside CPU_ON waited for itself or a sibling forever and both host CPUs hung."""
    race = Vm("race", "psci_race", vcpus=4, extra='bootargs = "rounds=300 vcpus=4";')
    run = boot([race] + heartbeats(), smp=2, timeout=120)
    assert_tap_passed(run, "race")
    assert_tap_passed(run, "beat0")
    assert_tap_passed(run, "beat1")
    assert run.output.count("vm race: reset by the guest (PSCI SYSTEM_RESET)") == 300
    assert run.exited, "the host did not power off after every VM stopped"


def test_physical_timer_is_each_vms_own():
    """Two VMs without a counter frequency of their own share one host CPU and both use
    the EL1 physical timer: each keeps its CNTP_CVAL/CTL and gets its interrupt. Before,
    the registers were shared and INTID 30 was never delivered to such a VM."""
    vms = [Vm(f"pt{seed}", "ptimer_own", cpu=0, extra=f'bootargs = "seed={seed}";')
           for seed in (1, 2)]
    run = boot(vms, smp=1, timeout=120)
    assert_tap_passed(run, "pt1")
    assert_tap_passed(run, "pt2")
    assert run.exited
