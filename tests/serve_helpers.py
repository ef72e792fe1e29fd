"""`sozialgraph serve` and the CLI as real processes, the way `./run serve` starts them (not a test module): the
console script next to the interpreter, the tree under test on PYTHONPATH, a free port of 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
ADMIN_SETTINGS = ("admin_token", "admin_token_file", "backup_dir")


def cli() -> list[str]:
    """The console script `sozialgraph` (what ./run serve execs), else the interpreter running its entry point."""
    script = Path(sys.executable).with_name("sozialgraph")
    if script.is_file():
        return [str(script)]
    found = shutil.which("sozialgraph")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from sozialgraph.cli import main; sys.exit(main())"]


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    src = ROOT / "src"
    if (src / "sozialgraph").is_dir():  # the tree under test, not whatever the virtualenv's editable install points at
        out["PYTHONPATH"] = os.pathsep.join([str(src)] + [p for p in [out.get("PYTHONPATH")] if p])
    out.pop("SOZIALGRAPH_CONFIG", None)
    for name in ADMIN_SETTINGS:
        out.pop("SOZIALGRAPH_" + name.upper(), None)
    out["PYTHONUNBUFFERED"] = "1"
    out.update(extra)
    return out


def run(store: Path, *args: str, environ: dict | None = None, ok: bool = True,
        timeout: float = 120) -> subprocess.CompletedProcess:
    r = subprocess.run(cli() + ["--store", str(store), *args], env=environ or env(), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    if ok:
        assert r.returncode == 0, f"sozialgraph {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`sozialgraph --store STORE serve --no-demo --port PORT` in its own session (master, worker, query workers)."""

    def __init__(self, store: Path, port: int, log: Path, environ: dict | None = None):
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self._err = open(log, "wb")
        self.proc = subprocess.Popen(cli() + ["--store", str(store), "serve", "--port", str(port), "--no-demo"],
                                     env=environ or env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._err, start_new_session=True)

    def wait_ready(self, limit: float = 90) -> None:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited early ({self.proc.returncode}):\n{self.stderr()}")
            try:
                if requests.get(self.base + "/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"server not ready within {limit} s:\n{self.stderr()}")

    def stderr(self) -> str:
        self._err.flush()
        return self.log.read_text(errors="replace")

    def stop(self, limit: float = 30) -> tuple[int | None, float]:
        """SIGTERM, then (exit code or None if it is still running, seconds it took)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(limit)
            except subprocess.TimeoutExpired:
                pass
        return self.proc.poll(), time.monotonic() - t0

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        self._err.close()
