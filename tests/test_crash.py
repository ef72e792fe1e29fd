"""SIGKILL during submissions never leaves a half-written current version (the short run of bench/bench_crash.py:
after every kill the office graph equals its latest accepted version, versions have no gaps, and the public
default graph is the merge of the public graphs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def test_kills_during_submissions_leave_a_consistent_store():
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_crash.py"), "--kills", "5", "--offers", "600",
                        "--seed", "11"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"kills: (\d+) \(during a submission: (\d+)\); consistent after the kill: (\d+) of (\d+)", r.stdout)
    assert m, r.stdout
    kills, during, consistent, total = map(int, m.groups())
    assert kills == total == 5 and consistent == 5, r.stdout
    assert during >= 1, "no kill hit a running submission: the test would prove nothing"
