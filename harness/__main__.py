"""`python -m harness` is the `harness` command."""

from harness.cli import main_entry

main_entry()
