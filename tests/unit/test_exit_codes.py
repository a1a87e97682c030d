"""Exit codes: one per outcome, each in the README's table, and a run's verdict maps to its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import ExitCode
from harness.results import Verdict
from harness.run import exit_code

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_lists_every_exit_code_with_its_name() -> None:
    rows = re.findall(r"^\| (\d+) \| `([A-Z_]+)` \|", README.read_text(), flags=re.M)
    assert [(int(code), name) for code, name in rows] == [(c.value, c.name) for c in ExitCode]


@pytest.mark.parametrize(
    ("verdict", "interrupted", "code"),
    [
        (Verdict.PASS, False, ExitCode.OK),
        (Verdict.FAIL, False, ExitCode.SLO_FAILED),
        (Verdict.INCOMPLETE, True, ExitCode.INTERRUPTED),
        (Verdict.INCOMPLETE, False, ExitCode.INCOMPLETE),
    ],
)
def test_a_cut_short_run_never_reads_as_bad_input(
    verdict: Verdict, interrupted: bool, code: ExitCode
) -> None:
    assert exit_code(verdict, interrupted) is code
    assert exit_code(verdict, interrupted) is not ExitCode.BAD_INPUT
