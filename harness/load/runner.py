"""Harness side of the load: spawn the locust worker subprocess and record its sample stream."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Self

import harness
from harness.errors import HarnessError
from harness.load.procgroup import spawn_in_group, stop_group
from harness.load.samples import Sample, SampleCsvWriter
from harness.load.spec import READY_LINE, LoadSpec, LoadSummary

__all__ = ["LoadRunner", "LoadSpec", "LoadSummary", "LoadWorkerError", "worker_argv"]

log = logging.getLogger(__name__)

STDERR_TAIL_LINES = 20
STOP_GRACE_EXTRA_S = 2.0


class LoadWorkerError(HarnessError):
    """The load worker exited on its own with a failure (its last stderr lines are the hint)."""


def worker_argv(spec_path: Path, run_id: str | None = None) -> list[str]:
    """Return the command line that runs the worker on `spec_path` with this interpreter."""
    argv = [sys.executable, "-m", "harness.load.worker", "--spec", str(spec_path)]
    return [*argv, "--run-id", run_id] if run_id else argv


def package_root() -> Path:
    """Return the folder holding the `harness` package (the worker's cwd, so `-m` finds it)."""
    return Path(harness.__file__).resolve().parent.parent


class LoadRunner:
    """Run one load worker: samples go to `out_csv`, to memory and to `on_sample` as they arrive."""

    def __init__(
        self,
        spec: LoadSpec,
        out_csv: Path,
        on_sample: Callable[[Sample], None] | None = None,
        *,
        log_path: Path | None = None,
        spec_path: Path | None = None,
    ) -> None:
        out_csv = Path(out_csv).resolve()
        holdout = Path(spec.holdout_path).resolve()
        self.spec = dataclasses.replace(spec, holdout_path=str(holdout))
        self.out_csv = out_csv
        self.log_path = Path(log_path or out_csv.with_name(out_csv.stem + ".worker.log")).resolve()
        self.spec_path = Path(spec_path or out_csv.with_name(out_csv.stem + ".load-spec.json"))
        self.on_sample = on_sample
        self.callback_errors = 0
        self.bad_lines = 0
        self.returncode: int | None = None
        self._samples: list[Sample] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._ready = threading.Event()
        self._stop_requested = False
        self._error: LoadWorkerError | None = None
        self._summary: LoadSummary | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def samples(self) -> list[Sample]:
        """Return a copy of the samples received so far."""
        with self._lock:
            return list(self._samples)

    @property
    def sample_count(self) -> int:
        """Return how many samples have arrived (cheaper than copying `samples`)."""
        with self._lock:
            return len(self._samples)

    @property
    def summary(self) -> LoadSummary | None:
        """Return the worker's end-of-run summary, once it has exited."""
        return self._summary

    @property
    def error(self) -> LoadWorkerError | None:
        """Return the failure of a worker that exited on its own with an error, else None."""
        return self._error

    @property
    def pid(self) -> int | None:
        """Return the worker's process id (also its process group id)."""
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        """Return True while the worker process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Write the spec file and start the worker in its own process group."""
        if self._proc is not None:
            raise RuntimeError("LoadRunner.start() called twice")
        self.spec.write(self.spec_path)
        writer = SampleCsvWriter(self.out_csv)
        try:
            with self.log_path.open("wb") as log_fh:
                self._proc = spawn_in_group(
                    worker_argv(self.spec_path.resolve(), self.spec.run_id),
                    cwd=package_root(),
                    stdout=subprocess.PIPE,
                    stderr=log_fh,
                    stdin=subprocess.PIPE if self.spec.await_go else subprocess.DEVNULL,
                )
        except BaseException:
            writer.close()
            raise
        self._reader = threading.Thread(
            target=self._read_stream, args=(writer,), name="load-sample-reader", daemon=True
        )
        self._reader.start()

    def go(self, gateway_url: str, lead_s: float, timeout_s: float) -> float:
        """Start a worker started with `await_go`: once it is ready, time zero is `lead_s` ahead.

        Returns time zero (epoch seconds). Raises LoadWorkerError, with the worker's last log
        lines, when it is not ready within `timeout_s` or exited first.
        """
        assert self._proc is not None and self._proc.stdin is not None, "start(await_go) first"
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.05):
            if self._done.is_set() or time.monotonic() > deadline:
                problem = "exited" if self._done.is_set() else f"not ready within {timeout_s:g}s"
                raise self._error or LoadWorkerError(
                    f"load worker {problem} before the go (log: {self.log_path})",
                    hint="last worker stderr lines:\n" + "\n".join(read_tail(self.log_path, 10)),
                )
        t0 = time.time() + lead_s
        self.spec = dataclasses.replace(self.spec, gateway_url=gateway_url, t0_epoch=t0)
        line = json.dumps({"gateway_url": gateway_url, "t0_epoch": t0}) + "\n"
        self._proc.stdin.write(line.encode())
        self._proc.stdin.close()
        return t0

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end and its samples to be recorded; False on timeout."""
        return self._done.wait(timeout)

    def stop(self, grace_s: float | None = None) -> None:
        """End the worker: SIGTERM (it finishes in-flight requests), SIGKILL after the grace."""
        if self._proc is None:
            return
        self._stop_requested = True
        grace = self.spec.timeout_s + STOP_GRACE_EXTRA_S if grace_s is None else grace_s
        stop_group(self._proc, grace)
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()  # after the signal: EOF first would read as a failure
        if self._reader is not None:
            self._reader.join()

    def raise_for_error(self) -> None:
        """Raise the worker's failure, if it had one."""
        if self._error is not None:
            raise self._error

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _read_stream(self, writer: SampleCsvWriter) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        try:
            for raw in self._proc.stdout:
                sample = self._parse(raw)
                if sample is not None:
                    self._record(sample, writer)
        finally:
            writer.close()
            self._proc.stdout.close()
            self._finish(self._proc.wait())

    def _parse(self, raw: bytes) -> Sample | None:
        line = raw.strip()
        if not line:
            return None
        if line == READY_LINE.strip():
            self._ready.set()
            return None
        try:
            return Sample.from_dict(json.loads(line))
        except (ValueError, TypeError) as exc:
            self.bad_lines += 1
            log.warning("load worker sent an unreadable line (%s): %.200r", exc, line)
            return None

    def _record(self, sample: Sample, writer: SampleCsvWriter) -> None:
        with self._lock:
            self._samples.append(sample)
        writer.write(sample)
        if self.on_sample is None:
            return
        try:
            self.on_sample(sample)
        except Exception:
            self.callback_errors += 1
            log.warning("on_sample callback failed", exc_info=True)

    def _finish(self, returncode: int) -> None:
        self.returncode = returncode
        tail = read_tail(self.log_path, STDERR_TAIL_LINES)
        self._summary = find_summary(tail)
        killed_by_us = self._stop_requested and returncode in (-signal.SIGTERM, -signal.SIGKILL)
        if returncode != 0 and not killed_by_us:
            self._error = LoadWorkerError(
                f"load worker exited with code {returncode} (log: {self.log_path})",
                hint="last worker stderr lines:\n" + "\n".join(tail[-10:]),
            )
            log.error("%s", self._error.render())
        self._done.set()


def read_tail(path: Path, lines: int) -> list[str]:
    """Return the last `lines` lines of a text file (empty when it is missing)."""
    try:
        with path.open("rb") as fh:
            tail: deque[bytes] = deque(fh, maxlen=lines)
    except OSError:
        return []
    return [raw.decode("utf-8", "replace").rstrip("\n") for raw in tail]


def find_summary(lines: list[str]) -> LoadSummary | None:
    """Return the last summary line among `lines`, if any."""
    for line in reversed(lines):
        summary = LoadSummary.from_line(line)
        if summary is not None:
            return summary
    return None
