"""Every environment variable the harness reads is documented in the README's table."""

from __future__ import annotations

from pathlib import Path

from harness.settings import ENV_VARS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_env_var() -> None:
    text = README.read_text()
    missing = [name for name in ENV_VARS if f"| `{name}` |" not in text]
    assert not missing, f"README's environment table lacks {missing}"
