import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402

from skiff import SKIFF_BIN  # noqa: E402


def pytest_sessionstart(session):
    if not os.path.exists(SKIFF_BIN):
        raise pytest.UsageError(f"{SKIFF_BIN} is missing: run `make all` first")


def pytest_configure(config):
    config.addinivalue_line("markers", "linux: boots a real Linux guest (slow)")
