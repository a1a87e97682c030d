"""The service images: the sources and Python packages of each one, and its Dockerfile.

Every image is built from one Dockerfile template (DOCKERFILE_TEMPLATE), rendered with the
image's spec: the package list is written once, here, and goes into the tag's hash with the
rendered Dockerfile.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

import harness
from harness.images.engine import ImageError

SKIPPED_DIRS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
DOCKERFILE_TEMPLATE = Path(__file__).with_name("service.Dockerfile.j2")
# A distribution name as pip takes it (PEP 508): what may go on the Dockerfile's RUN line.
PACKAGE_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True)
class ImageSpec:
    """One service image: what is copied to /app, the packages installed, its default command.

    Paths are relative to the source root (the folder holding `harness/` and `targets/`);
    `sources` name files or folders. `module` is what the image runs (with `--help`) when the
    backend gives no command; `about` says what the image is, in its Dockerfile's first line.
    """

    service: str
    module: str
    sources: tuple[str, ...]
    packages: tuple[str, ...]
    first_build_s: int  # rough time of a build without any cached layer, told to the user
    about: str
    runtime_only: tuple[str, ...] = ()  # in `packages` though no source imports them directly


def _common(*modules: str) -> tuple[str, ...]:
    """Some modules of targets/common (an image copies only what its service imports)."""
    return tuple(f"targets/common/{m}.py" for m in ("__init__", *modules))


IMAGE_SPECS: tuple[ImageSpec, ...] = (
    ImageSpec(
        "inference",
        "targets.inference.server",
        ("targets/__init__.py", "targets/common", "targets/inference", "targets/metadata"),
        ("aiohappyeyeballs", "aiohttp", "boto3", "botocore", "numpy", "onnxruntime"),
        first_build_s=20,
        about="the inference server (onnxruntime) and its spot metadata sidecar",
    ),
    ImageSpec(
        "gateway",
        "targets.gateway.server",
        (
            "targets/__init__.py",
            *_common("flags", "http", "jsonlog", "metrics", "net", "serve"),
            "targets/gateway",
        ),
        ("aiohappyeyeballs", "aiohttp"),
        first_build_s=10,
        about="the gateway, routing /predict to the regions' inference instances",
    ),
    ImageSpec(
        "netproxy",
        "harness.netproxy",
        (
            "harness/__init__.py",
            "harness/errors.py",
            "harness/registry.py",
            "harness/settings.py",
            "harness/netproxy",
        ),
        ("aiohttp", "pydantic"),
        first_build_s=10,
        about="the network-fault proxy (harness.netproxy)",
    ),
    ImageSpec(
        "object-store",
        "targets.objectstore.server",
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
        about="the object store (moto's S3 server, in memory)",
        runtime_only=("flask", "flask-cors"),  # moto's server extras, listed to be pinned
    ),
    ImageSpec(
        "pipeline",
        "targets.pipeline.ingest",
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
        about="the data pipeline: ingest, replicator and retrain (the module is the command)",
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


def render_dockerfile(spec: ImageSpec) -> bytes:
    """The image's Dockerfile: the one template, with the spec's packages and module.

    ImageError when a package or the module is not a plain name (they go on a shell line).
    """
    bad = [p for p in spec.packages if not PACKAGE_NAME.match(p)]
    if bad or not MODULE_NAME.match(spec.module):
        what = f"package names {bad}" if bad else f"module {spec.module!r}"
        raise ImageError(
            f"image {spec.service}: {what} not plain names",
            hint="name distributions as pip does (scikit-learn) and the module dotted (a.b)",
        )
    template = jinja2.Template(
        DOCKERFILE_TEMPLATE.read_text(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # a Dockerfile, not HTML: the names were checked above
    )
    text: str = template.render(
        service=spec.service, about=spec.about, module=spec.module, packages=spec.packages
    )
    return text.encode()


def template_path() -> str:
    """Where the Dockerfile template is, relative to the source root (for messages)."""
    return DOCKERFILE_TEMPLATE.relative_to(source_root()).as_posix()


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
    # An editor's dotfile or a bytecode cache in /app is noise (and would change the tag).
    return not file.name.startswith(".") and not file.name.endswith(SKIPPED_SUFFIXES)
