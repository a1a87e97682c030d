"""Image specs: every import of an image is inside it, pins, the Dockerfile rendered from the spec."""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib.metadata
import re
import sys

import pytest

from harness.images import IMAGE_SPECS, ImageError, ImageSpec, image_inputs_hash, image_tag
from harness.images import specs as specs_mod
from harness.images.specs import (
    read_sources,
    render_dockerfile,
    requirements,
    source_root,
    spec_for,
)

ROOT = source_root()
LOCAL_TOPS = {"harness", "targets"}


def imported_modules(files: dict[str, bytes]) -> set[str]:
    """Absolute module names imported anywhere in `files` (the .py ones)."""
    found: set[str] = set()
    for path, data in files.items():
        if path.endswith(".py"):
            for node in ast.walk(ast.parse(data, filename=path)):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
    return found


@functools.cache
def _import_names() -> dict[str, list[str]]:
    # A scan of every installed distribution (seconds): once per session, not once per name.
    return importlib.metadata.packages_distributions()


def distributions_of(top: str) -> set[str]:
    """Distributions that provide import name `top` (scikit-learn for sklearn), normalised."""
    dists = _import_names().get(top, [top])
    return {d.lower().replace("_", "-") for d in dists}


def module_file_present(module: str, files: dict[str, bytes]) -> bool:
    base = module.replace(".", "/")
    return f"{base}.py" in files or f"{base}/__init__.py" in files


@pytest.mark.parametrize("spec", IMAGE_SPECS, ids=lambda s: s.service)
def test_every_import_is_in_the_image(spec: ImageSpec) -> None:
    files = read_sources(spec, ROOT)
    for module in sorted(imported_modules(files)):
        top = module.split(".")[0]
        if top in LOCAL_TOPS:
            assert module_file_present(module, files), f"{spec.service}: {module} not copied"
        else:
            wanted = {p.lower() for p in spec.packages}
            assert top in sys.stdlib_module_names or distributions_of(top) & wanted, (
                f"{spec.service}: {module} is neither stdlib nor in {spec.packages}"
            )


@pytest.mark.parametrize("spec", IMAGE_SPECS, ids=lambda s: s.service)
def test_every_package_is_used(spec: ImageSpec) -> None:
    tops = {m.split(".")[0] for m in imported_modules(read_sources(spec, ROOT))}
    provided = set().union(*(distributions_of(t) for t in tops))
    assert {p.lower() for p in spec.packages} - set(spec.runtime_only) <= provided


@pytest.mark.parametrize("spec", IMAGE_SPECS, ids=lambda s: s.service)
def test_the_dockerfile_installs_exactly_the_packages_and_runs_the_module(spec: ImageSpec) -> None:
    text = render_dockerfile(spec).decode()
    assert re.search(r"^ARG BASE$", text, re.M) and re.search(r"^FROM \$\{BASE\}$", text, re.M)
    assert "ENTRYPOINT" not in text and "{{" not in text
    line = re.search(r"--find-links /wheels[^&]*?--quiet ([^&\\\n]+)", text, re.S)
    assert line is not None, "pip install line not found"
    assert line[1].split() == list(spec.packages)
    assert f'CMD ["python3", "-m", "{spec.module}", "--help"]' in text
    assert text.startswith(f"# The {spec.service} image: {spec.about}.\n")


def test_images_differ_only_where_their_specs_do() -> None:
    gateway, netproxy = (render_dockerfile(spec_for(s)).decode() for s in ("gateway", "netproxy"))
    changed = [
        (a, b) for a, b in zip(gateway.splitlines(), netproxy.splitlines(), strict=True) if a != b
    ]
    assert [b for _, b in changed] == [
        "# The netproxy image: the network-fault proxy (harness.netproxy).",
        "# the image prints the help of harness.netproxy.",
        "        --disable-pip-version-check --quiet aiohttp pydantic \\",
        'CMD ["python3", "-m", "harness.netproxy", "--help"]',
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"packages": ("aiohttp", "evil; rm -rf /")}, "package names ['evil; rm -rf /']"),
        ({"module": "targets.x --y"}, "module 'targets.x --y'"),
    ],
)
def test_a_name_that_is_not_plain_never_reaches_the_dockerfile(
    change: dict[str, object], named: str
) -> None:
    spec = dataclasses.replace(spec_for("gateway"), **change)  # type: ignore[arg-type]
    with pytest.raises(ImageError, match=re.escape(f"image gateway: {named} not plain names")):
        render_dockerfile(spec)


def test_no_service_keeps_a_dockerfile_of_its_own() -> None:
    # the template is the only one: a copy beside a service would drift from the specs
    assert sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("targets/**/Dockerfile")) == []


def test_sources_skip_caches_and_other_services() -> None:
    files = read_sources(spec_for("inference"), ROOT)
    assert "targets/__init__.py" in files and "targets/inference/server.py" in files
    assert not any("__pycache__" in p or p.endswith(".pyc") for p in files)
    assert not any(p.startswith(("targets/gateway/", "targets/model/")) for p in files)


def test_netproxy_image_holds_only_what_the_proxy_needs() -> None:
    files = read_sources(spec_for("netproxy"), ROOT)
    tops = {p.split("/")[1] for p in files if p.startswith("harness/")}
    assert tops == {"__init__.py", "errors.py", "registry.py", "settings.py", "netproxy"}


def test_requirements_are_pinned_to_the_installed_versions() -> None:
    import importlib.metadata

    reqs = requirements(spec_for("inference"))
    assert reqs == tuple(
        f"{p}=={importlib.metadata.version(p)}" for p in spec_for("inference").packages
    )


def test_requirement_not_installed_stays_unpinned() -> None:
    spec = ImageSpec("x", "x", (), ("surely-not-installed-pkg",), first_build_s=1, about="x")
    assert requirements(spec) == ("surely-not-installed-pkg",)


def test_unknown_service_names_the_known_ones() -> None:
    with pytest.raises(
        ImageError, match="known: inference, gateway, netproxy, object-store, pipeline"
    ):
        spec_for("gatway")


def test_missing_source_is_a_clear_error() -> None:
    spec = ImageSpec("x", "x", ("nowhere",), (), first_build_s=1, about="x")
    with pytest.raises(ImageError, match="source nowhere of image x is missing"):
        read_sources(spec, specs_mod.source_root())


def test_a_package_added_to_a_spec_gives_the_image_a_new_tag() -> None:
    spec = spec_for("gateway")
    more = dataclasses.replace(spec, packages=(*spec.packages, "yarl"))
    tags = {
        image_tag("gateway", image_inputs_hash(render_dockerfile(s), {}, (), "b"))
        for s in (spec, more)
    }
    assert len(tags) == 2
