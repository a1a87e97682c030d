"""One image build: a build context made in memory, the engine's build log turned into progress."""

from __future__ import annotations

import io
import re
import tarfile
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import docker.errors

from harness.images.engine import ImageError

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the engine colours a step's stderr red
SUMMARY_WIDTH = 78
# Only the steps that take time are worth a line; ENV, LABEL and the like are instant.
SHOWN_STEPS = frozenset({"COPY", "ADD", "RUN"})
LOG_TAIL = 20


@dataclass(frozen=True)
class BuildPlan:
    """Everything one image is built from, and the tag it gets."""

    service: str
    tag: str
    base_ref: str
    dockerfile_path: str  # for messages
    dockerfile: bytes
    files: Mapping[str, bytes]  # copied to /app/<path>
    wheel_dir: Path
    wheels: tuple[str, ...]
    labels: Mapping[str, str]
    app_dir: str = "app"  # where `files` go in the context ("": at its top, as a user folder)
    hint: str | None = None  # what a failed build's error suggests (default: ours)


def write_context(out: IO[bytes], plan: BuildPlan) -> None:
    """Write the build context tar: `Dockerfile`, `wheels/*.whl`, `<app_dir>/<source path>`."""
    with tarfile.open(fileobj=out, mode="w") as tar:
        _add_bytes(tar, "Dockerfile", plan.dockerfile)
        _add_dir(tar, "wheels")
        for name in plan.wheels:
            with (plan.wheel_dir / name).open("rb") as wheel:
                info = _file_info(f"wheels/{name}", (plan.wheel_dir / name).stat().st_size)
                tar.addfile(info, wheel)
        for folder in _folders(plan.files):
            if folder or plan.app_dir:
                _add_dir(tar, _join(plan.app_dir, folder))
        for path in sorted(plan.files):
            _add_bytes(tar, _join(plan.app_dir, path), plan.files[path])


def run_build(client: Any, plan: BuildPlan, progress: Callable[[str], None], nocache: bool) -> None:
    """Build `plan.tag`; progress gets one line per Dockerfile step; ImageError with the log tail."""
    tail: deque[str] = deque(maxlen=LOG_TAIL)
    step: list[str] = []  # the step running now: a failure names it even once out of the tail
    with tempfile.TemporaryFile() as context:
        write_context(context, plan)
        context.seek(0)
        try:
            stream = client.api.build(
                fileobj=context,
                custom_context=True,
                tag=plan.tag,
                rm=True,
                forcerm=True,
                pull=False,
                nocache=nocache,
                decode=True,
                buildargs={"BASE": plan.base_ref},
                labels=dict(plan.labels),
            )
            for chunk in stream:
                _consume(chunk, plan, tail, progress, step)
        except docker.errors.APIError as exc:
            raise _failure(plan, str(exc.explanation or exc), tail, step) from None


def step_summary(line: str) -> str | None:
    """`Step 3/6 : RUN long command` → `step 3/6 RUN long comm…`; None for other lines and quick steps."""
    match = STEP.match(line.strip())
    if not match or match[3].split(" ", 1)[0].upper() not in SHOWN_STEPS:
        return None
    text = f"step {match[1]}/{match[2]} {' '.join(match[3].split())}"
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


def _consume(
    chunk: Mapping[str, Any],
    plan: BuildPlan,
    tail: deque[str],
    progress: Callable[[str], None],
    step: list[str] | None = None,
) -> None:
    step = [] if step is None else step
    if "error" in chunk:
        raise _failure(plan, str(chunk["error"]).strip(), tail, step)
    for line in ANSI.sub("", str(chunk.get("stream", ""))).splitlines():
        if line.strip():
            tail.append(line.rstrip())
        match = STEP.match(line.strip())
        if match:
            step[:] = [f"step {match[1]}/{match[2]} ({' '.join(match[3].split())[:120]})"]
        summary = step_summary(line)
        if summary:
            progress(f"  {plan.service}: {summary}")


def _failure(plan: BuildPlan, error: str, tail: Iterable[str], step: list[str]) -> ImageError:
    lines = "\n".join(f"  | {line}" for line in tail)
    at = f" at {step[0]}" if step else ""
    return ImageError(
        f"image {plan.service} ({plan.tag}) failed to build{at}: {error}"
        + (f"\n  last lines of the build log:\n{lines}" if lines else ""),
        hint=plan.hint or f"see {plan.dockerfile_path}; retry with `harness images build --force`",
    )


def _join(folder: str, path: str) -> str:
    return f"{folder}/{path}" if folder and path else folder or path


def _folders(paths: Iterable[str]) -> list[str]:
    """Every folder above `paths` ("" for the top), parents first."""
    found = {""}
    for path in paths:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found, key=lambda f: (f.count("/") if f else -1, f))


def _file_info(name: str, size: int) -> tarfile.TarInfo:
    # Fixed metadata: the same inputs give the same context, so the layer cache always hits.
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.uid, info.gid = size, 0o644, 0, 0, 0
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_file_info(name, len(data)), io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
    tar.addfile(info)
