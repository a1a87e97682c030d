"""Image tags by content: the same inputs give the same hash, any changed input a new one."""

from __future__ import annotations

import re

import pytest

from harness.images import image_inputs_hash, image_tag

DOCKERFILE = b"ARG BASE\nFROM ${BASE}\nCOPY app /app\n"
FILES = {"targets/__init__.py": b"", "targets/common/http.py": b"print('hi')\n"}
WHEELS = ["aiohttp-3.14.5-cp311-cp311-manylinux_2_28_x86_64.whl", "yarl-1.25.1-py3-none-any.whl"]
BASE_ID = "sha256:" + "ab" * 32


def digest(**changes: object) -> str:
    args: dict[str, object] = {
        "dockerfile": DOCKERFILE,
        "files": FILES,
        "wheels": WHEELS,
        "base_id": BASE_ID,
    }
    args.update(changes)
    return image_inputs_hash(**args)  # type: ignore[arg-type]


def test_same_inputs_same_hash() -> None:
    assert digest() == digest(files=dict(FILES), wheels=list(WHEELS))
    assert re.fullmatch(r"[0-9a-f]{64}", digest())


def test_file_and_wheel_order_do_not_matter() -> None:
    reordered = dict(reversed(list(FILES.items())))
    assert digest(files=reordered, wheels=list(reversed(WHEELS))) == digest()


@pytest.mark.parametrize(
    "changes",
    [
        {"dockerfile": DOCKERFILE + b"\n"},
        {"files": {**FILES, "targets/common/http.py": b"print('ho')\n"}},
        {"files": {**FILES, "targets/common/new.py": b""}},
        {"files": {"targets/__init__.py": b""}},
        {
            "files": {
                "targets/__init__.py": b"",
                "targets/common/http2.py": FILES["targets/common/http.py"],
            }
        },
        {"wheels": WHEELS[:1]},
        {"wheels": [*WHEELS[:1], "yarl-1.25.2-py3-none-any.whl"]},
        {"base_id": "sha256:" + "cd" * 32},
    ],
    ids=[
        "dockerfile",
        "source-byte",
        "new-file",
        "removed-file",
        "renamed-file",
        "fewer-wheels",
        "wheel-version",
        "base-id",
    ],
)
def test_any_changed_input_changes_the_hash(changes: dict[str, object]) -> None:
    assert digest(**changes) != digest()


def test_fields_do_not_run_into_each_other() -> None:
    # Length prefixes: moving bytes from a path into its contents is a different input.
    assert digest(files={"ab": b"c"}) != digest(files={"a": b"bc"})


def test_tag_format() -> None:
    tag = image_tag("inference", digest())
    assert tag == f"harness-inference:{digest()[:12]}"
    assert re.fullmatch(r"harness-[a-z-]+:[0-9a-f]{12}", tag)
