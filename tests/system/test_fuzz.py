"""The guest fuzzer (guest/tests/fuzz.c) beside heartbeat and canary VMs, with the
host-side oracles of tests/system/fuzzrun.py. FUZZ_SEED=N reruns these with seed N."""

import dataclasses
import os

import pytest

from fuzzrun import Campaign, run

# Short campaigns for every run of the suite: about 10^5 operations in all. Seeds that
# found a bug stay here: 1 (traps from AArch32 EL0; HVC #imm's UNDEF past the HVC).
CAMPAIGNS = [
    Campaign(1, rounds=6, ops=2100),
    Campaign(2, rounds=6, ops=2100, cpu="cortex-a72", gic=2),
]


@pytest.mark.parametrize("campaign", CAMPAIGNS, ids=lambda c: f"seed{c.seed}-{c.cpu}-gic{c.gic}")
def test_fuzz_guest(campaign):
    if os.environ.get("FUZZ_SEED"):
        campaign = dataclasses.replace(campaign, seed=int(os.environ["FUZZ_SEED"]))
    out = run(campaign, timeout=300)
    found = [l for l in out.text.split("\n") if "ANOMALY" in l or "MISMATCH" in l]
    assert not out.problems, (f"{campaign.describe()}:\n" + "\n".join(out.problems) +
                              "\n" + "\n".join(found[:20]))
    assert out.ops >= (campaign.rounds - campaign.start) * campaign.vcpus * campaign.ops, \
        campaign.describe()
