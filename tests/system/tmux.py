"""A real terminal for console tests: tmux runs QEMU in a window of a given size, keys are
sent with send-keys and the screen is read with capture-pane. Each Terminal has its own
tmux server (-L), killed with everything in it when the test ends."""

import os
import shlex
import subprocess
import time


class Terminal:
    def __init__(self, command, cols=132, rows=43, timeout=300):
        self.server = f"skiff-test-{os.getpid()}-{time.monotonic_ns()}"
        line = " ".join(shlex.quote(a) for a in ["timeout", "-k", "5", str(timeout), *command])
        self._tmux("new-session", "-d", "-s", "t", "-x", str(cols), "-y", str(rows), line)
        # Keep the window at this size whatever clients attach (none do).
        self._tmux("set-option", "-t", "t", "window-size", "manual")

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.server, *args], capture_output=True,
                              text=True, check=False)

    def screen(self) -> str:
        """What the window shows now, one line per row."""
        return self._tmux("capture-pane", "-p", "-t", "t").stdout

    def keys(self, *keys):
        """tmux key names ("C-\\\\", "Enter") or literal strings."""
        self._tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        self._tmux("send-keys", "-t", "t", "-l", text)

    def wait_for(self, predicate, timeout=60, what="the screen"):
        """Waits until predicate(screen) is true; returns that screen."""
        end = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{text}")
            time.sleep(0.2)

    def wait_text(self, text, timeout=60):
        return self.wait_for(lambda s: text in s, timeout, repr(text))

    def pipe(self, path):
        """Appends everything the program writes to the window (raw bytes) to @path."""
        self._tmux("pipe-pane", "-o", "-t", "t", f"cat >> {shlex.quote(path)}")

    def close(self):
        self._tmux("kill-server")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
