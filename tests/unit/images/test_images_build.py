"""Build context layout and the build log summaries shown as progress."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from harness.images import ImageError
from harness.images.build import BuildPlan, _consume, step_summary, write_context


def make_plan(tmp_path: Path) -> BuildPlan:
    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"wheel")
    return BuildPlan(
        service="gateway",
        tag="harness-gateway:0123456789ab",
        base_ref="base:1",
        dockerfile_path="harness/images/service.Dockerfile.j2",
        dockerfile=b"FROM x\n",
        files={"targets/gateway/server.py": b"x = 1\n", "targets/__init__.py": b""},
        wheel_dir=tmp_path,
        wheels=("a-1.0-py3-none-any.whl",),
        labels={"harness.image": "gateway"},
    )


def test_context_holds_dockerfile_wheels_and_app(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_context(out, make_plan(tmp_path))
    out.seek(0)
    with tarfile.open(fileobj=out) as tar:
        names = tar.getnames()
        assert tar.extractfile("app/targets/gateway/server.py").read() == b"x = 1\n"  # type: ignore[union-attr]
        assert tar.extractfile("wheels/a-1.0-py3-none-any.whl").read() == b"wheel"  # type: ignore[union-attr]
        assert {m.mtime for m in tar.getmembers()} == {0}
    assert names[0] == "Dockerfile"
    # Parent folders come before what they hold.
    for folder in ("app", "app/targets", "app/targets/gateway"):
        assert names.index(folder) < names.index("app/targets/gateway/server.py")


def test_context_is_reproducible(tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_context(first, make_plan(tmp_path))
    write_context(second, make_plan(tmp_path))
    assert first.getvalue() == second.getvalue()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Step 6/10 : RUN python3 -m venv /opt/venv", "step 6/10 RUN python3 -m venv /opt/venv"),
        ("Step 5/10 : COPY wheels /wheels\n", "step 5/10 COPY wheels /wheels"),
        ("Step 3/10 : ENV PYTHONPATH=/app", None),
        ("Step 9/10 : LABEL harness.image=x", None),
        (" ---> Using cache", None),
        ("Successfully built abc", None),
    ],
)
def test_step_summary(line: str, expected: str | None) -> None:
    assert step_summary(line) == expected


def test_long_step_is_cut_to_one_line() -> None:
    summary = step_summary("Step 6/10 : RUN " + "x " * 200)
    assert summary is not None and len(summary) <= 78 and summary.endswith("…")


def test_build_error_names_the_image_with_the_log_tail(tmp_path: Path) -> None:
    from collections import deque

    tail: deque[str] = deque(maxlen=20)
    lines: list[str] = []
    plan = make_plan(tmp_path)
    chunks: list[dict[str, Any]] = [
        {"stream": "Step 6/10 : RUN pip install nope\n"},
        {"stream": "ERROR: No matching distribution found for nope\n"},
    ]
    for chunk in chunks:
        _consume(chunk, plan, tail, lines.append)
    with pytest.raises(ImageError) as err:
        _consume({"error": "The command returned a non-zero code: 1"}, plan, tail, lines.append)
    text = err.value.render()
    assert "image gateway (harness-gateway:0123456789ab) failed to build" in text
    assert "| ERROR: No matching distribution found for nope" in text
    assert "hint: see harness/images/service.Dockerfile.j2" in text
    assert lines == ["  gateway: step 6/10 RUN pip install nope"]
