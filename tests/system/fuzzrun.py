#!/usr/bin/python3
"""The guest fuzzer's campaigns and the host-side oracles (docs/testing.md, "The guest fuzzer").

One campaign boots Skiff with the fuzz guest (4 vCPUs over both host CPUs, "seed=N"), a
heartbeat VM pinned to each host CPU and a canary VM on each, and watches:

- no EL2 panic ("skiff: PANIC" never printed);
- the fuzz guest's own TAP: every operation done, no anomaly (exception return addresses,
  vectors, registers kept, PSCI and backdoor answers), no vCPU lost; or, if Skiff stopped
  it, a crash with its reason;
- liveness: once the fuzz guest has stopped, every heartbeat beats again and every canary
  checks again (a host CPU stuck in EL2 never would);
- isolation: no canary found a value that is not its own in its registers or RAM;
- host memory: the free memory after each of the fuzzed VM's resets never falls below its
  first figure (Skiff's stop line for the VM);
- the log: the lines Skiff writes about the fuzzed VM stay within its budget, 20 a second
  plus the count of those left out (core/guestlog.h), over the run's wall time.

Run as a script for a long campaign (make fuzz-guest): several seeds, operations per
second and totals.
"""

import argparse
import io
import math
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from skiff import Run, Vm, compile_config, config_dts, qemu_command, qemu_session  # noqa: E402

GUESTLOG_BURST = 20  # src/core/guestlog.h: lines a VM may cause each second
LOG_MARGIN = 12  # lines about a VM outside its budget: created, stopped, its stage 2, ...
FUZZ_MIB = 16
WATCHERS = ("beat0", "beat1", "can0", "can1")


@dataclass
class Campaign:
    seed: int
    rounds: int
    ops: int
    cpu: str = "max"
    gic: int = 3
    vcpus: int = 4
    start: int = 0
    extra_args: str = ""

    def bootargs(self) -> str:
        return (f"seed={self.seed} rounds={self.rounds} ops={self.ops} vcpus={self.vcpus} "
                f"start={self.start} {self.extra_args}").strip()

    def describe(self) -> str:
        return (f"seed {self.seed} ({self.rounds} rounds of {self.ops} operations per vCPU, "
                f"-cpu {self.cpu}, GICv{self.gic}; reproduce with FUZZ_SEED={self.seed}, "
                f"bootargs \"{self.bootargs()}\")")


@dataclass
class Outcome:
    campaign: Campaign
    text: str
    seconds: float  # wall time from QEMU's start to the fuzzed VM's stop
    ended: str  # "powered off", "crashed", "panic" or "timeout"
    problems: list = field(default_factory=list)
    ops: int = 0
    ops_per_second: int = 0


def vms(c: Campaign):
    fuzz = Vm("fuzz", "fuzz", memory=FUZZ_MIB << 20, vcpus=c.vcpus,
              extra=f'bootargs = "{c.bootargs()}";')
    beats = [Vm(f"beat{cpu}", "heartbeat", cpu=cpu,
                extra='bootargs = "beats=1000000 period_ms=200";') for cpu in (0, 1)]
    canaries = [Vm(f"can{cpu}", "canary", cpu=cpu,
                   extra=f'bootargs = "seed={1000 + cpu} seconds=0 kib=256";') for cpu in (0, 1)]
    return [fuzz] + beats + canaries


def run(c: Campaign, timeout=600) -> Outcome:
    """Boots the campaign and returns its output once the fuzzed VM stopped and every
    watcher showed life after that (or at the timeout)."""
    with tempfile.TemporaryDirectory() as tmp:
        config = compile_config(config_dts(vms(c)), tmp)
        # QEMU 10 (build/qemu-ecv), not Debian 12's 7.2: with the fuzz guest's timer values
        # 7.2's main loop can get stuck in its generic-timer callback, re-arming the timer
        # at once forever, and the whole machine stops (docs/testing.md, "The guest fuzzer").
        cmd = qemu_command(config, cpu=c.cpu, gic=c.gic, smp=2, ecv=True)
        with qemu_session(cmd, limit=timeout + 60, timeout=timeout) as child:
            log = io.StringIO()
            child.logfile_read = log
            start = time.monotonic()
            ends = ["vm fuzz: powered off by the guest", "vm fuzz: crashed: ", "skiff: PANIC"]
            try:
                idx = child.expect(ends)
                ended = ["powered off", "crashed", "panic"][idx]
            except Exception:  # pexpect.TIMEOUT or EOF: reported as a problem below
                ended = "timeout"
            seconds = time.monotonic() - start
            alive = []
            if ended in ("powered off", "crashed"):
                # Each watcher again, after the fuzzed VM stopped.
                for w in WATCHERS:
                    pat = rf"{w}\| # beat \d+" if w.startswith("beat") else \
                        rf"{w}\| # canary: \d+ checks"
                    try:
                        child.expect(pat, timeout=60)
                        alive.append(w)
                    except Exception:
                        break
            text = re.sub(r"\r+\n", "\n", log.getvalue()).replace("\r", "\n")
    out = Outcome(c, text, seconds, ended)
    check(out, alive)
    return out


def fuzz_tap(text):
    lines = text.split("\n")
    return Run(output=text, exited=False, lines=lines).tap("fuzz")


def check(out: Outcome, alive):
    """Fills out.problems with what the oracles found."""
    p, text, c = out.problems, out.text, out.campaign
    if "skiff: PANIC" in text:
        p.append("EL2 panic: " + text[text.index("skiff: PANIC"):][:2000])
    if out.ended == "timeout":
        p.append(f"the fuzzed VM did not stop within the timeout ({out.seconds:.0f} s)")
    missing = [w for w in WATCHERS if w not in alive]
    if out.ended in ("powered off", "crashed") and missing:
        p.append(f"no sign of life from {missing} after the fuzzed VM stopped")
    crash = re.search(r"vm fuzz: crashed: (.*)", text)
    if crash:
        if not crash.group(1).strip():
            p.append("the fuzzed VM crashed without a reason")
    elif out.ended == "powered off":
        plan, results = fuzz_tap(text)
        failed = [r for r in results if not r[0]]
        if not results or failed or plan != len(results):
            p.append(f"the fuzz guest's TAP: plan {plan}, failed {failed}")
    m = re.search(r"bench: fuzz_guest ops=(\d+) ticks=(\d+) hz=(\d+)", text)
    if m:
        out.ops = int(m.group(1))
        out.ops_per_second = int(out.ops * int(m.group(3)) / max(int(m.group(2)), 1))
    for w in ("can0", "can1"):
        bad = [l for l in text.split("\n") if l.startswith(f"{w}| # canary: MISMATCH")]
        if bad:
            p.append(f"{w} found values not its own: {bad[:3]}")
    mem = re.search(r"vm fuzz: after each of its (\d+) resets, host memory free: first (\d+) KiB, "
                    r"lowest (\d+) KiB, last (\d+) KiB", text)
    if out.ended == "powered off" and c.rounds - c.start > 1:
        if not mem:
            p.append("no report of host memory after the fuzzed VM's resets")
        elif not int(mem.group(2)) == int(mem.group(3)) == int(mem.group(4)):
            p.append(f"host memory after the resets fell: {mem.group(0)}")
        elif int(mem.group(1)) != c.rounds - c.start - 1:
            p.append(f"{mem.group(1)} resets, not {c.rounds - c.start - 1}: {mem.group(0)}")
    written = [l for l in text.split("\n") if l.startswith("skiff:") and "vm fuzz: " in l]
    limit = (GUESTLOG_BURST + 1) * math.ceil(out.seconds + 1) + LOG_MARGIN
    if len(written) > limit:
        p.append(f"{len(written)} log lines about the fuzzed VM in {out.seconds:.1f} s: more "
                 f"than {GUESTLOG_BURST} a second and its reports allow ({limit})")


def parse_seeds(s):
    seeds = []
    for part in s.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def main():
    ap = argparse.ArgumentParser(description="A long guest-fuzzer campaign (make fuzz-guest).")
    ap.add_argument("--seeds", default="1-8", help="seeds: N, N-M, or a list of those")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--ops", type=int, default=8000, help="operations per vCPU per round")
    ap.add_argument("--cpu", default="max")
    ap.add_argument("--gic", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per seed")
    args = ap.parse_args()
    total_ops, total_s, failures = 0, 0.0, []
    for seed in parse_seeds(args.seeds):
        c = Campaign(seed, args.rounds, args.ops, cpu=args.cpu, gic=args.gic)
        out = run(c, timeout=args.timeout)
        total_ops += out.ops
        total_s += out.seconds
        status = "ok" if not out.problems else "FAILED"
        print(f"seed {seed}: {status}, {out.ops} operations in {out.seconds:.0f} s, "
              f"{out.ops_per_second} a second (guest time), ended: {out.ended}", flush=True)
        for prob in out.problems:
            print(f"  {prob}", flush=True)
        for line in out.text.split("\n"):
            if "ANOMALY" in line or "MISMATCH" in line or "crashed" in line:
                print(f"  {line}", flush=True)
        if out.problems:
            failures.append(seed)
            with open(f"fuzz-seed-{seed}.log", "w") as f:
                f.write(out.text)
    print(f"total: {total_ops} operations in {total_s:.0f} s "
          f"({int(total_ops / total_s) if total_s else 0} a second, wall time); "
          f"failed seeds: {failures or 'none'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
