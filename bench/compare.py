#!/usr/bin/python3
"""Writes the "How Skiff compares" table of README.md from bench/results.json (the peers
rows of bench/peers.py), between its <!-- peers:begin --> and <!-- peers:end --> lines.
bench/run.py calls it after a run that measured the peers."""

import json
import os
import re
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RESULTS = os.path.join(TOP, "bench", "results.json")
README = os.path.join(TOP, "README.md")
COLUMNS = [("xen", "Xen 4.17"), ("kvm_vhe", "KVM VHE"), ("kvm_nvhe", "KVM nVHE"),
           ("skiff", "Skiff"), ("bare", "bare QEMU")]
LABELS = {
    "peer_hvc_roundtrip": "HVC round trip (PSCI_VERSION)",
    "peer_gicd_typer_read": "GICD_TYPER read (emulated distributor)",
    "peer_vtimer_spin": "virtual timer: deadline → guest's IRQ vector, guest spinning",
    "peer_vtimer_wfi": "the same, guest in WFI",
    "peer_reset_to_guest": "reset → guest's first instruction",
    "peer_linux_to_marker": "Debian Linux, reset → /init's marker (virtual ms)",
    "peer_linux_wall_pauth": "the same in wall seconds (pauth-impdef=on, no -icount), "
                             "each system's defaults",
    "peer_linux_wall": "the same, like with like: PAuth unused, code coherence the guest's",
}


def cell(row, value):
    if value is None:
        return "—"
    if row == "peer_reset_to_guest":
        return f"{value / 1e6:.1f} M" if value >= 1e5 else f"{value:,}".replace(",", " ")
    if row == "peer_linux_to_marker":
        return f"{value:.0f}"
    if row in ("peer_linux_wall_pauth", "peer_linux_wall"):
        return f"{value:.2f}"
    return f"{value:,.0f}".replace(",", " ")


def table(rows):
    head = "| instructions per operation | " + " | ".join(t for _, t in COLUMNS) + " |"
    lines = [head, "|---" * (len(COLUMNS) + 1) + "|"]
    for r in rows:
        values = dict(r["peers"], skiff=r["value"])
        lines.append(f"| {LABELS.get(r['name'], r['name'])} | "
                     + " | ".join(cell(r["name"], values.get(s)) for s, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main():
    with open(RESULTS) as f:
        results = json.load(f)
    rows = [r for r in results["benchmarks"] if "peers" in r]
    if not rows:
        return 0
    with open(README) as f:
        text = f.read()
    block = (f"<!-- peers:begin (bench/compare.py writes this table from bench/results.json, "
             f"{results['date'][:10]}) -->\n{table(rows)}\n<!-- peers:end -->")
    new, n = re.subn(r"<!-- peers:begin.*?<!-- peers:end -->", block, text, flags=re.S)
    if n != 1:
        print("compare.py: README.md has no peers:begin/end markers", file=sys.stderr)
        return 1
    with open(README, "w") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
