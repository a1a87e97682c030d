"""Print what the netproxy adds per small round trip (p50/p99) and its streaming throughput.

Run: `.venv/bin/python bench/netproxy.py [--rounds 2000] [--size 64]`. Prints figures only.
"""

from __future__ import annotations

import argparse
import json
import socket
import socketserver
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while data := sock.recv(65536):
            sock.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def api(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def start_netproxy() -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "harness.netproxy", "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    return proc, "http://" + line.rsplit(" ", 1)[1]


def round_trips(port: int, rounds: int, size: int) -> list[float]:
    payload = b"x" * size
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        times = []
        for i in range(rounds + 100):
            start = time.perf_counter()
            sock.sendall(payload)
            got = 0
            while got < size:
                got += len(sock.recv(65536))
            if i >= 100:  # warm-up rounds are not counted
                times.append(time.perf_counter() - start)
    return times


def throughput(port: int, total: int = 64 * 1024 * 1024) -> float:
    block = b"y" * (256 * 1024)
    with socket.create_connection(("127.0.0.1", port)) as sock:

        def send() -> None:
            for _ in range(total // len(block)):
                sock.sendall(block)

        sender = threading.Thread(target=send)
        start = time.perf_counter()
        sender.start()
        got = 0
        while got < total:
            got += len(sock.recv(1 << 20))
        elapsed = time.perf_counter() - start
        sender.join()
    return total / elapsed / 1e6


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1e6


def report(label: str, base: list[float], times: list[float]) -> None:
    p50, p99 = pct(times, 50), pct(times, 99)
    added50, added99 = p50 - pct(base, 50), p99 - pct(base, 99)
    print(
        f"{label:<28} p50 {p50:8.1f} us  p99 {p99:8.1f} us  "
        f"added p50 {added50:+8.1f} us  p99 {added99:+8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()
    echo = EchoServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    up = f"127.0.0.1:{echo.server_address[1]}"
    proc, base_url = start_netproxy()
    try:
        proxy = api(base_url, "POST", "/proxies", {"name": "bench", "upstream": up})
        port = int(proxy["listen"].rsplit(":", 1)[1])
        print(f"{args.rounds} round trips of {args.size} B on one connection, 127.0.0.1")
        direct = round_trips(echo.server_address[1], args.rounds, args.size)
        report("direct", direct, direct)
        report("through netproxy", direct, round_trips(port, args.rounds, args.size))
        for stream in ("upstream", "downstream"):
            body = {"type": "latency", "stream": stream, "attributes": {"latency": 0}}
            api(base_url, "POST", "/proxies/bench/toxics", body)
        report("+ latency 0 both ways", direct, round_trips(port, args.rounds, args.size))
        api(base_url, "POST", "/reset")
        print(f"throughput direct            {throughput(echo.server_address[1]):8.1f} MB/s")
        print(f"throughput through netproxy  {throughput(port):8.1f} MB/s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        echo.shutdown()


if __name__ == "__main__":
    main()
