"""`python -m harness.netproxy` as the harness starts it: ready line, flags, config, signals."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from netproxy_support import EchoServer, connect, refused, round_trip

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def start(*flags: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "harness.netproxy", *flags]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ready_line(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    assert proc.stdout is not None
    readable, _, _ = select.select([proc.stdout], [], [], timeout)
    assert readable, "no ready line"
    return proc.stdout.readline().strip()


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_config_and_clean_exit(
    procs: list[subprocess.Popen[str]], tmp_path: Path, echo: EchoServer, sig: signal.Signals
) -> None:
    config = tmp_path / "proxies.json"
    entry = {"name": "cfg", "listen": "0.0.0.0:0", "upstream": f"localhost:{echo.port}"}
    config.write_text(json.dumps([entry]))
    proc = start("-port=0", "--host", "127.0.0.1", "-config", str(config))
    procs.append(proc)
    line = ready_line(proc)
    assert line.startswith("netproxy listening on 127.0.0.1:")
    api = f"http://{line.rsplit(' ', 1)[1]}"
    assert requests.get(f"{api}/version", timeout=10).status_code == 200
    proxy = requests.get(f"{api}/proxies/cfg", timeout=10).json()
    sock = connect(proxy["listen"])
    round_trip(sock, b"via config")
    proc.send_signal(sig)
    assert proc.wait(timeout=20) == 0
    assert refused(proxy["listen"])
    assert sock.recv(10) == b""
    sock.close()


def test_bad_config_exits_2(procs: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('[{"listen": ":0", "upstream": "localhost:1"}]')
    proc = start("--port", "0", f"--config={config}")
    procs.append(proc)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert "missing required field: name at proxy 1" in err


def test_off_loopback_api_host_refused(procs: list[subprocess.Popen[str]]) -> None:
    proc = start("-host", "10.9.8.7", "-port", "0")
    procs.append(proc)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "127.0.0.1" in err
