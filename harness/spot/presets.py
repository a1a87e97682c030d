"""How each cloud preempts a spot instance: notice lead time and grace before the hard stop.

- aws: an interruption notice 2 minutes before EC2 terminates the instance (an optional
  rebalance recommendation earlier); at termination the OS shuts down (SIGTERM) and the
  instance is gone after the grace (AWS documents no figure; 10 s here).
- gcp: with a preemption notice duration, `instance/preempted` turns TRUE before the ACPI soft
  off (SIGTERM); the hard off follows 30 s later for Spot VMs.
- azure: a Scheduled Events `Preempt` event at least 30 s ahead (NotBefore); then the VM is
  deleted, with no guest shutdown to count on (grace 0: SIGKILL).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """A cloud's notice lead time and shutdown grace, in seconds (before --time-scale)."""

    notice_s: float
    grace_s: float
    rebalance: bool  # the cloud has a rebalance recommendation


PRESETS: dict[str, Preset] = {
    "aws": Preset(notice_s=120.0, grace_s=10.0, rebalance=True),
    "gcp": Preset(notice_s=30.0, grace_s=30.0, rebalance=False),
    "azure": Preset(notice_s=30.0, grace_s=0.0, rebalance=False),
}
