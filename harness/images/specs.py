"""The service images: the Dockerfile, sources and Python packages of each one."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import harness
from harness.images.engine import ImageError

SKIPPED_DIRS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class ImageSpec:
    """One service image: its Dockerfile, what is copied to /app, the packages installed.

    Paths are relative to the source root (the folder holding `harness/` and `targets/`);
    `sources` name files or folders. `packages` must match the Dockerfile's `pip install` line.
    """

    service: str
    dockerfile: str
    sources: tuple[str, ...]
    packages: tuple[str, ...]
    first_build_s: int  # rough time of a build without any cached layer, told to the user
    runtime_only: tuple[str, ...] = ()  # in `packages` though no source imports them directly


def _common(*modules: str) -> tuple[str, ...]:
    """Some modules of targets/common (an image copies only what its service imports)."""
    return tuple(f"targets/common/{m}.py" for m in ("__init__", *modules))


IMAGE_SPECS: tuple[ImageSpec, ...] = (
    ImageSpec(
        "inference",
        "targets/inference/Dockerfile",
        ("targets/__init__.py", "targets/common", "targets/inference", "targets/metadata"),
        ("aiohappyeyeballs", "aiohttp", "boto3", "botocore", "numpy", "onnxruntime"),
        first_build_s=20,
    ),
    ImageSpec(
        "gateway",
        "targets/gateway/Dockerfile",
        (
            "targets/__init__.py",
            *_common("flags", "http", "jsonlog", "metrics", "net", "serve"),
            "targets/gateway",
        ),
        ("aiohappyeyeballs", "aiohttp"),
        first_build_s=10,
    ),
    ImageSpec(
        "netproxy",
        "targets/netproxy/Dockerfile",
        (
            "harness/__init__.py",
            "harness/errors.py",
            "harness/registry.py",
            "harness/settings.py",
            "harness/netproxy",
        ),
        ("aiohttp", "pydantic"),
        first_build_s=10,
    ),
    ImageSpec(
        "object-store",
        "targets/objectstore/Dockerfile",
        (
            "targets/__init__.py",
            *_common("flags", "jsonlog", "metrics", "net", "s3"),
            "targets/objectstore",
        ),
        (
            "aiohappyeyeballs",
            "aiohttp",
            "boto3",
            "botocore",
            "flask",
            "flask-cors",
            "moto",
            "werkzeug",
        ),
        first_build_s=20,
        runtime_only=("flask", "flask-cors"),  # moto's server extras
    ),
    ImageSpec(
        "pipeline",
        "targets/pipeline/Dockerfile",
        (
            "targets/__init__.py",
            "targets/common",
            "targets/pipeline",
            "targets/model",
            "targets/inference/__init__.py",
            "targets/inference/registry.py",
        ),
        (
            "aiohappyeyeballs",
            "aiohttp",
            "boto3",
            "botocore",
            "numpy",
            "onnx",
            "onnxruntime",
            "scikit-learn",
            "skl2onnx",
        ),
        first_build_s=40,
        runtime_only=("onnx",),  # skl2onnx's own dependency, pinned to what the tests ran
    ),
)


def spec_for(service: str) -> ImageSpec:
    """Return the spec of `service`; ImageError naming the known services if there is none."""
    for spec in IMAGE_SPECS:
        if spec.service == service:
            return spec
    known = ", ".join(s.service for s in IMAGE_SPECS)
    raise ImageError(f"no image for service {service!r} (known: {known})")


def source_root() -> Path:
    """The folder that holds the `harness` and `targets` packages."""
    return Path(harness.__file__).resolve().parent.parent


def requirements(spec: ImageSpec) -> tuple[str, ...]:
    """`spec.packages` pinned to the versions installed here, so images run what the tests ran."""
    pinned = []
    for name in spec.packages:
        try:
            pinned.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pinned.append(name)
    return tuple(pinned)


def read_dockerfile(spec: ImageSpec, root: Path) -> bytes:
    """The bytes of the spec's Dockerfile; ImageError when the checkout does not have it."""
    path = root / spec.dockerfile
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(
            f"the Dockerfile of image {spec.service} is missing: {path}",
            hint="images are built from a source checkout of the harness (pip install -e .)",
        ) from None


def read_sources(spec: ImageSpec, root: Path) -> dict[str, bytes]:
    """Every file copied to /app: POSIX path relative to `root` → bytes."""
    files: dict[str, bytes] = {}
    for entry in spec.sources:
        path = root / entry
        if not path.exists():
            raise ImageError(f"source {entry} of image {spec.service} is missing under {root}")
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if _wanted(file, root):
                files[file.relative_to(root).as_posix()] = file.read_bytes()
    return files


def _wanted(file: Path, root: Path) -> bool:
    parts = file.relative_to(root).parts
    if not file.is_file() or SKIPPED_DIRS.intersection(parts):
        return False
    # The Dockerfile is hashed on its own; a copy in /app (or an editor's dotfile) is noise.
    name = file.name
    return name != "Dockerfile" and not name.startswith(".") and not name.endswith(SKIPPED_SUFFIXES)
