"""The full-screen console in a real terminal (tmux, see tmux.py): size detection, switching
between the shell and VMs, scrollback replayed on attach, the status line and view, and the
shell answering while a guest floods its console (docs/console.md)."""

import os
import re
import tempfile

import pytest

from skiff import (Vm, assert_tap_passed, boot, compile_config, config_dts, qemu_command,
                   qemu_session)
from test_linux import INITRD, KERNEL, linux_vm
from tmux import Terminal

BANNER = "Enter 'help' for a list of built-in commands"

PREFIX = "C-\\"


def last_row(screen):
    return screen.rstrip("\n").split("\n")[-1]


def switch(term, key, label):
    """The prefix key then @key; returns the screen once the status line (drawn last)
    shows @label in brackets: the console in focus ("2 two", "0 shell") or the view
    ("status]")."""
    views = ("[status]", "[log]", "[dcc]")

    def shown(screen):
        row = last_row(screen)
        return f"[{label}" in row and (label.endswith("]") or not any(v in row for v in views))

    term.keys(PREFIX, key)
    return term.wait_for(shown, what=f"[{label}")


def ask_shell(term, line):
    """Types @line into the management shell (switching to it first) and Enter."""
    switch(term, "0", "0 shell")
    term.type(line)
    term.keys("Enter")


def test_console_in_a_132x43_terminal():
    vms = [Vm("one", "echo", cpu=0, extra='bootargs = "lines=30";'),
           Vm("two", "echo", cpu=1)]
    with tempfile.TemporaryDirectory() as tmp, \
            Terminal(qemu_command(compile_config(config_dts(vms), tmp), smp=2)) as term:
        # The first VM has the input; its 30 lines went out before anyone looked.
        screen = term.wait_text("echo: line 30 of 30")
        assert "[1 one:run]" in last_row(screen) and " 2 two:run " in last_row(screen)
        term.type("hello one")
        term.keys("Enter")
        term.wait_text("got: hello one")
        # The shell: its window size line in the log, vm list.
        ask_shell(term, "log 200")
        term.wait_text("console: full screen, 132x43")
        term.type("vm list")
        term.keys("Enter")
        # Both rows, which the shell prints after the heading.
        term.wait_for(lambda s: re.search(r"\bone +running ", s) and re.search(r"\btwo +running ", s),
                      what="vm list's two rows")
        # VM two: its banner, then typing to it.
        screen = switch(term, "2", "2 two")
        assert "echo: ready" in screen and "vm list" not in screen
        term.type("hello two")
        term.keys("Enter")
        screen = term.wait_text("got: hello two")
        assert "hello one" not in screen
        # Back to one: what it printed is replayed from its scrollback.
        screen = switch(term, "1", "1 one")
        assert "got: hello one" in screen
        assert "echo: line 29 of 30" in screen
        # The status view, full width: both VMs and their states.
        screen = switch(term, "s", "status]")
        assert "EXITS/S" in screen
        rows = screen.split("\n")
        assert max(len(r) for r in rows) == 132, rows
        assert any("one" in r and "running" in r for r in rows)
        assert any("two" in r and "running" in r for r in rows)
        # Stopping a VM from the shell shows in the status line and the view.
        ask_shell(term, "vm stop two")
        screen = term.wait_for(lambda s: " 2 two:off " in last_row(s), what="two:off")
        screen = switch(term, "s", "status]")
        assert any("two" in r and "powered off" in r for r in screen.split("\n"))
        # ... and it starts again, afresh.
        ask_shell(term, "vm start two")
        term.wait_for(lambda s: " 2 two:run " in last_row(s), what="two:run")
        screen = switch(term, "2", "2 two")
        assert "echo: ready" in screen and "got: hello two" in screen  # the scrollback stays


def test_the_shell_answers_while_a_guest_floods():
    """A guest writes 1 MiB to its console as fast as it can; the shell, in focus, answers
    meanwhile: `vm info` tells how far the flood had got when it answered."""
    vms = [Vm("flood", "flood", cpu=0, extra='bootargs = "bytes=1048576";')]
    with tempfile.TemporaryDirectory() as tmp, \
            Terminal(qemu_command(compile_config(config_dts(vms), tmp), smp=2)) as term:
        term.wait_text("flood 0000")
        ask_shell(term, "vm info flood")
        screen = term.wait_text("KiB scrollback")
        written = int(re.search(r"^ +console: (\d+) bytes written", screen, re.M).group(1))
        assert written < 1 << 20, screen
        switch(term, "1", "1 flood")
        term.wait_text("flood: done", timeout=120)
        ask_shell(term, "vm info flood")
        # 16384 lines of 64 bytes and "flood: done\n" (no carriage returns, no escape
        # sequences: everything kept); all but the last 64 KiB scrolled out, counted exactly.
        screen = term.wait_for(lambda s: len(re.findall("KiB scrollback", s)) == 2,
                               what="the second vm info")
        total, lost = map(int, re.findall(r"^ +console: (\d+) bytes written, (\d+) scrolled",
                                          screen, re.M)[-1])
        assert total == (1 << 20) + len("flood: done\n"), screen
        assert lost == total - 64 * 1024, screen


@pytest.mark.linux
def test_two_linux_vms_on_the_full_screen_console():
    """Two Debian Linux VMs in a 132x43 tmux window: a command typed into each is answered
    by that one only, attaching again replays what it printed, the shell answers about
    them, and the status view shows both running."""
    for f in (KERNEL, INITRD):
        if not os.path.exists(f):
            pytest.fail(f"{f} is missing: run scripts/guest-images.sh (make test does)")
    vms = [linux_vm("one", cpu=0), linux_vm("two", cpu=1)]
    with tempfile.TemporaryDirectory() as tmp, \
            Terminal(qemu_command(compile_config(config_dts(vms), tmp), cpu="cortex-a57",
                                  smp=2)) as term:
        term.wait_text(BANNER, timeout=240)
        term.type("echo one-$((40+2))")
        term.keys("Enter")
        term.wait_text("one-42", timeout=60)
        screen = switch(term, "2", "2 two")
        if BANNER not in screen:
            term.wait_text(BANNER, timeout=240)
        term.type("echo two-$((40+2))")
        term.keys("Enter")
        screen = term.wait_text("two-42", timeout=60)
        assert "one-42" not in screen
        screen = switch(term, "1", "1 one")
        assert "one-42" in screen and "two-42" not in screen
        ask_shell(term, "vm info two")
        screen = term.wait_text("scrolled out of its 64 KiB scrollback")
        assert "vm two: running, 1 vCPU(s), 256 MiB RAM" in screen
        screen = switch(term, "s", "status]")
        rows = screen.split("\n")
        assert any(r.split()[1:3] == ["one", "running"] for r in rows if len(r.split()) > 2)
        assert any(r.split()[1:3] == ["two", "running"] for r in rows if len(r.split()) > 2)


def test_a_vms_dcc_console():
    """The DCC is a console of its own (QEMU 10 has DBGDTRRX/TX_EL0): prefix c gives the
    focused VM's DCC console the screen and the input instead of its UART's, and back."""
    vms = [Vm("one", "echo", extra='bootargs = "dcc=1";')]
    with tempfile.TemporaryDirectory() as tmp, \
            Terminal(qemu_command(compile_config(config_dts(vms), tmp), ecv=True)) as term:
        screen = term.wait_text("echo: ready")
        assert "hello over the DCC" not in screen
        screen = switch(term, "c", "dcc]")
        assert "echo: hello over the DCC" in screen and "echo: ready" not in screen
        term.type("to the dcc")
        term.keys("Enter")
        screen = term.wait_text("dcc got: to the dcc")
        assert "[dcc]" in last_row(screen)
        screen = switch(term, "c", "1 one")
        assert "echo: ready" in screen and "hello over the DCC" not in screen
        assert "to the dcc" not in screen  # none of it went to the UART
        ask_shell(term, "vm info one")
        # The DCC input line is the last this test reads: wait until it is whole (the
        # shell's answer reaches the screen in more than one piece).
        screen = term.wait_text("dropped (the guest did not read them)")
        # 25 bytes of greeting, 10 echoed, "\ndcc got: to the dcc\n" 21.
        assert "DCC console: 56 bytes written, 0 scrolled out of 16 KiB" in screen, screen
        assert "DCC input: 11 bytes typed, 0 dropped" in screen  # Enter is one (CR)


def spawn(vms, tmp, append):
    """QEMU on a pty that plays the terminal by hand (answers what a test sends)."""
    cmd = qemu_command(compile_config(config_dts(vms), tmp), extra=["-append", append])
    return qemu_session(cmd, limit=60, timeout=30)


def test_plain_mode_sends_no_escape_sequences():
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.console=plain"])
    assert "console: plain (skiff.console=plain)" in run.output
    assert "\x1b" not in run.output
    assert_tap_passed(run, "hello")


def test_auto_mode_stays_plain_when_nothing_answers():
    run = boot([Vm("hello", "hello")])
    assert "console: plain (the terminal did not answer" in run.output
    assert_tap_passed(run, "hello")


@pytest.mark.parametrize("answer,rows,cols", [
    ("\x1b[30;100R", 30, 100),   # only the cursor position report
    ("\x1b[8;40;120t", 40, 120),  # only CSI 18 t
    (None, 24, 80),               # nothing (skiff.console=screen): the default
])
def test_the_terminal_size_comes_from_the_terminal(answer, rows, cols):
    with tempfile.TemporaryDirectory() as tmp:
        with spawn([Vm("echo", "echo")], tmp,
                      "skiff.console=auto" if answer else "skiff.console=screen") as child:
            child.expect_exact("\x1b[6n")
            if answer:
                child.send(answer)
            # The status line is drawn on the last row, from its first column.
            child.expect_exact(f"\x1b[{rows}H")
            child.expect_exact(" skiff ")
            if answer:
                assert f"\x1b[{rows + 1}H" not in child.before


def test_a_configured_prefix_key():
    with tempfile.TemporaryDirectory() as tmp:
        with spawn([Vm("echo", "echo")], tmp,
                   "skiff.console=plain skiff.console.prefix=ctrl-t") as child:
            child.expect_exact("Ctrl-T then 1-1 gives it to another VM")
            child.send("\x1c")  # the default prefix is an ordinary byte now
            child.send("\x140")
            child.expect_exact("console: input goes to the management shell")
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.console.prefix=ctrl-a"])
    assert "skiff.console.prefix=ctrl-a refused" in run.output
    assert "Ctrl-\\ then 1-1" in run.output


@pytest.mark.parametrize("lines", ["dec", "ascii"])
def test_line_drawing(lines):
    with tempfile.TemporaryDirectory() as tmp:
        with spawn([Vm("echo", "echo")], tmp,
                      f"skiff.console=screen skiff.console.lines={lines}") as child:
            child.expect_exact(" skiff ")
            child.send("\x1cs")
            child.expect_exact("EXITS/S")
            text = child.before
            child.expect_exact("[status]")
            text += child.before
    if lines == "dec":
        assert "\x1b(0lqqq" in text
    else:
        assert "+---" in text and "\x1b(0" not in text
