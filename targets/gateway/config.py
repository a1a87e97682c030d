"""Gateway configuration: parse and validate the JSON file into frozen dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ARCHITECTURES",
    "ConfigError",
    "GatewayConfig",
    "HealthCheckConfig",
    "InstanceConfig",
    "RegionConfig",
    "RetryConfig",
    "load_config",
    "parse_config",
]

ARCHITECTURES = ("single-region", "active-passive", "active-active")


class ConfigError(ValueError):
    """A gateway config that cannot be used; the message names the offending key."""


@dataclass(frozen=True)
class InstanceConfig:
    """One upstream inference instance (its URL is usually a network-fault proxy port).

    Active health checks GET `health_path` and expect `health_status`: an instance that speaks
    another protocol than ours has its own (e.g. /v2/health/ready, /ping).
    """

    id: str
    url: str
    health_path: str = "/readyz"
    health_status: int = 200


@dataclass(frozen=True)
class RegionConfig:
    """A region and its instances; regions are listed in priority order."""

    name: str
    instances: tuple[InstanceConfig, ...]


@dataclass(frozen=True)
class HealthCheckConfig:
    """Active health checks: GET {url}/readyz every interval on every instance."""

    interval_s: float = 1.0
    timeout_s: float = 0.5
    unhealthy_threshold: int = 3
    healthy_threshold: int = 2


@dataclass(frozen=True)
class RetryConfig:
    """Total tries per request (to distinct instances) and the timeout of each try."""

    attempts: int = 2
    per_request_timeout_s: float = 1.0


@dataclass(frozen=True)
class GatewayConfig:
    """The whole gateway config."""

    architecture: str
    regions: tuple[RegionConfig, ...]
    health_check: HealthCheckConfig
    retry: RetryConfig


def _obj(value: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    return value


def _num(section: dict[str, Any], key: str, where: str, default: float, integer: bool) -> Any:
    value = section.get(key, default)
    ok_type = type(value) is int if integer else type(value) in (int, float)
    if not ok_type or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ConfigError(f"{where}.{key}: must be {kind}, got {value!r}")
    return value


def _health(raw: Any) -> HealthCheckConfig:
    d = HealthCheckConfig()
    s = _obj(
        raw, "health_check", {"interval_s", "timeout_s", "unhealthy_threshold", "healthy_threshold"}
    )
    return HealthCheckConfig(
        interval_s=float(_num(s, "interval_s", "health_check", d.interval_s, False)),
        timeout_s=float(_num(s, "timeout_s", "health_check", d.timeout_s, False)),
        unhealthy_threshold=_num(
            s, "unhealthy_threshold", "health_check", d.unhealthy_threshold, True
        ),
        healthy_threshold=_num(s, "healthy_threshold", "health_check", d.healthy_threshold, True),
    )


def _retry(raw: Any) -> RetryConfig:
    d = RetryConfig()
    s = _obj(raw, "retry", {"attempts", "per_request_timeout_s"})
    return RetryConfig(
        attempts=_num(s, "attempts", "retry", d.attempts, True),
        per_request_timeout_s=float(
            _num(s, "per_request_timeout_s", "retry", d.per_request_timeout_s, False)
        ),
    )


def _instance(raw: Any, where: str) -> InstanceConfig:
    s = _obj(raw, where, {"id", "url", "health_path", "health_status"})
    iid, url = s.get("id"), s.get("url")
    if not isinstance(iid, str) or not iid:
        raise ConfigError(f"{where}.id: must be a non-empty string")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url: must be an http(s) URL, got {url!r}")
    d = InstanceConfig(id="", url="")
    path = s.get("health_path", d.health_path)
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigError(f"{where}.health_path: must be a path starting with '/', got {path!r}")
    status = s.get("health_status", d.health_status)
    if type(status) is not int or not 100 <= status <= 599:
        raise ConfigError(f"{where}.health_status: must be an HTTP status, got {status!r}")
    return InstanceConfig(id=iid, url=url.rstrip("/"), health_path=path, health_status=status)


def _region(raw: Any, where: str) -> RegionConfig:
    s = _obj(raw, where, {"name", "instances"})
    name, instances = s.get("name"), s.get("instances")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}.name: must be a non-empty string")
    if not isinstance(instances, list) or not instances:
        raise ConfigError(f"{where}.instances: must be a non-empty list")
    items = tuple(_instance(x, f"{where}.instances[{i}]") for i, x in enumerate(instances))
    return RegionConfig(name=name, instances=items)


def parse_config(data: Any) -> GatewayConfig:
    """Validate a decoded config object; raise ConfigError naming the first bad key."""
    top = _obj(data, "config", {"architecture", "regions", "health_check", "retry"})
    arch = top.get("architecture")
    if arch not in ARCHITECTURES:
        raise ConfigError(f"architecture: must be one of {list(ARCHITECTURES)}, got {arch!r}")
    raw_regions = top.get("regions")
    if not isinstance(raw_regions, list) or not raw_regions:
        raise ConfigError("regions: must be a non-empty list")
    regions = tuple(_region(r, f"regions[{i}]") for i, r in enumerate(raw_regions))
    _check_unique([r.name for r in regions], "region name")
    _check_unique([i.id for r in regions for i in r.instances], "instance id")
    return GatewayConfig(
        architecture=arch,
        regions=regions,
        health_check=_health(top.get("health_check", {})),
        retry=_retry(top.get("retry", {})),
    )


def _check_unique(names: list[str], what: str) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"duplicate {what}(s): {dupes}")


def load_config(path: Path) -> GatewayConfig:
    """Read and validate a gateway config file."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from exc
    try:
        return parse_config(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
