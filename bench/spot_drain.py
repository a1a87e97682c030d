"""Print what the termination handler is worth: scenarios/spot-preemption.yaml with and without it.

Run: `.venv/bin/python bench/spot_drain.py [--backend process|docker] [--time-scale 0.25]`.
Runs the shipped scenario (two waves, two spot instances each, active-active, 70% spot) four
times through the CLI: the handler on and off (`stack.spot.drain_on_notice`), each with the
gateway retrying once more (`attempts: 2`) or not (`attempts: 1`, as shipped). Prints a Markdown
table (to paste into the README): failed requests per preemption, availability, notice →
drained, the longest time without full capacity, and the cost figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "spot-preemption.yaml"
VARIANTS = [(True, 1), (False, 1), (True, 2), (False, 2)]  # (handler, gateway attempts)


def variant(folder: Path, handler: bool, attempts: int) -> Path:
    """The shipped scenario with the handler and the gateway's attempts set."""
    text = SCENARIO.read_text()
    text = text.replace("drain_on_notice: true ", f"drain_on_notice: {str(handler).lower()} ")
    text = text.replace("retry: {attempts: 1,", f"retry: {{attempts: {attempts},")
    path = folder / f"spot-h{int(handler)}-a{attempts}.yaml"
    path.write_text(text)
    return path


def run(scenario: Path, out: Path, backend: str, scale: float) -> dict[str, Any]:
    """One `harness run`; its results.json."""
    argv = [sys.executable, "-m", "harness", "run", str(scenario), "--out", str(out)]
    argv += ["--backend", backend, "--time-scale", f"{scale:g}"]
    subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return dict(json.loads((out / "results.json").read_text()))


def row(handler: bool, attempts: int, results: dict[str, Any]) -> str:
    """One Markdown table row."""
    found = results["preemptions"]
    failed = [p["failed_requests"] for p in found]
    drained = [p["notice_to_drained_s"] for p in found if p["notice_to_drained_s"] is not None]
    short = [p["without_full_capacity_s"] or 0.0 for p in found]
    overall = next(p for p in results["phases"] if p["name"] == "overall")
    cost = results["cost"]
    return (
        f"| {'on' if handler else 'off'} | {attempts} | {sum(failed)} ({', '.join(map(str, failed))})"
        f" | {overall['availability']:.4%} | "
        + (f"{statistics.median(drained):.2f} s" if drained else "never")
        + f" | {max(short, default=0):.1f} s | ${cost['total']:.4f} | "
        f"${cost['per_1k_predictions']:.4f} | {cost['capacity_seconds_lost']:.0f} s |"
    )


def main() -> int:
    """Run the four variants and print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="process", choices=["process", "docker"])
    p.add_argument("--time-scale", type=float, default=0.25)
    args = p.parse_args()
    print(
        f"backend {args.backend}, --time-scale {args.time_scale:g} "
        "(times in run seconds; the notice lasts 120 s × scale)\n"
    )
    print(
        "| handler | attempts | failed requests (per preemption) | availability | "
        "notice → drained (median) | longest without full capacity | cost | per 1k "
        "predictions | capacity lost |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for handler, attempts in VARIANTS:
            began = time.monotonic()
            out = folder / f"run-h{int(handler)}-a{attempts}"
            results = run(variant(folder, handler, attempts), out, args.backend, args.time_scale)
            print(row(handler, attempts, results), flush=True)
            print(f"  ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
