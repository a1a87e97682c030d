"""Poll the region's registry for latest.json; verify, load and hot-swap a new model version."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from targets.common import s3 as s3lib
from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.inference.model import OnnxModel
from targets.inference.registry import LATEST_KEY, Latest, LatestError, get_bytes, parse_latest
from targets.inference.slot import ModelSlot, Serving

__all__ = ["REASONS", "RegistryPoller", "Rejected"]

REASONS = ("checksum", "load", "shape", "download")

T = TypeVar("T")


class Rejected(Exception):
    """A registry version that cannot be served; `reason` is the metric label."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class RegistryPoller:
    """Every `interval_s` read latest.json; swap in a new version once it checks out.

    A latest.json body is settled once served or definitively rejected (checksum, load, shape):
    it is not fetched again until latest.json changes. A failed download is retried on the next
    poll (the artifact may not have replicated yet) but counted and logged once per version.
    Every boto3 call and the model load run in a thread, never on the event loop."""

    def __init__(
        self,
        slot: ModelSlot,
        registry: Registry,
        url: str,
        region: str,
        interval_s: float = 1.0,
        on_reject: Callable[[], None] = lambda: None,
    ) -> None:
        self.slot = slot
        self.url = url
        self.region = region
        self.interval_s = interval_s
        self.on_reject = on_reject
        self._s3: Any = None
        self._settled: bytes | None = None
        self._reported: set[tuple[str, str]] = set()
        self._failing = False
        self.rejected = registry.counter(
            "inference_model_rejected_total", "Registry model versions refused.", ("reason",)
        )
        for reason in REASONS:
            self.rejected.inc(reason, amount=0.0)  # every series visible from the first scrape
        self.errors = registry.counter(
            "inference_registry_errors_total", "Registry polls that failed (store unreachable)."
        )
        self.errors.inc(amount=0.0)

    async def _thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def _client(self) -> Any:
        if self._s3 is None:
            self._s3 = s3lib.client(self.url, self.region)
        return self._s3

    def _get(self, key: str) -> bytes | None:
        return get_bytes(self._client(), key)

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            await self.poll_once()
            await asyncio.sleep(self.interval_s)

    async def poll_once(self) -> None:
        """Read latest.json once and act on it; never raises for store or model trouble."""
        try:
            body = await self._thread(self._get, LATEST_KEY)
        except Exception as exc:  # any store failure: keep serving what we have
            self._store_error(exc)
            return
        self._store_ok()
        if body is None or body == self._settled:
            return
        try:
            latest = parse_latest(body)
        except LatestError as exc:
            self._settled = body
            log_event("registry_error", url=self.url, error=str(exc))
            self.errors.inc()
            return
        await self._consider(latest, body)

    async def _consider(self, latest: Latest, body: bytes) -> None:
        current = self.slot.current
        if latest.sha256 == current.sha256 or latest.model_version == current.version:
            self._settled = body
            return
        try:
            serving = await self._fetch(latest)
        except Rejected as rej:
            self._report(latest, rej)
            if rej.reason != "download":
                self._settled = body
            return
        old = self.slot.swap(serving)
        self._settled = body
        log_event("model_swapped", old_version=old.version, model_version=serving.version)

    async def _fetch(self, latest: Latest) -> Serving:
        try:
            data = await self._thread(self._get, latest.key)
        except Exception as exc:
            raise Rejected("download", repr(exc)) from exc
        if data is None:
            raise Rejected("download", f"no object {latest.key}")
        sha = hashlib.sha256(data).hexdigest()
        if sha != latest.sha256:
            raise Rejected("checksum", f"sha256 {sha} != latest.json {latest.sha256}")
        try:
            model = await self._thread(OnnxModel, data)
        except Exception as exc:  # onnxruntime raises its own types for bad graphs
            raise Rejected("load", repr(exc)) from exc
        width = self.slot.current.model.n_features
        if model.n_features != width:
            raise Rejected("shape", f"input width {model.n_features} != serving {width}")
        return Serving(model=model, version=latest.model_version, sha256=sha)

    def _report(self, latest: Latest, rej: Rejected) -> None:
        """Count, log and alert once per (version, reason), however many polls see it."""
        if (latest.sha256 + latest.model_version, rej.reason) in self._reported:
            return
        self._reported.add((latest.sha256 + latest.model_version, rej.reason))
        self.rejected.inc(rej.reason)
        log_event(
            "model_rejected",
            model_version=latest.model_version,
            key=latest.key,
            reason=rej.reason,
            detail=rej.detail,
            serving_version=self.slot.current.version,
        )
        if rej.reason != "download":
            self.on_reject()

    def _store_error(self, exc: Exception) -> None:
        self.errors.inc()
        if not self._failing:  # one log line per outage, not one per poll
            self._failing = True
            log_event("registry_unreachable", url=self.url, error=repr(exc))

    def _store_ok(self) -> None:
        if self._failing:
            self._failing = False
            log_event("registry_reachable", url=self.url)
