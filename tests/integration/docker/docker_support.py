"""Test helpers: a small image (stub service + netproxy) built offline, and label look-ups."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import docker
import requests

from harness import settings
from harness.backends.base import ServiceSpec
from harness.backends.docker_names import label_filter
from harness.images.specs import spec_for

HERE = Path(__file__).parent
REPO = HERE.parents[2]
BASE_IMAGE = "harness-base:dev"
TEST_IMAGE = "harness-test-stub:dev"
PACKAGES = ("aiohttp", "pydantic")
# What the netproxy image holds of harness/, as the real image spec says (no second list).
HARNESS_FILES = tuple(
    p.removeprefix("harness/") for p in spec_for("netproxy").sources if p.startswith("harness/")
)
DOCKERFILE = f"""\
FROM {{base}}
COPY wheels /wheels
RUN python3 -m venv /venv && /venv/bin/pip install -q --no-index --find-links /wheels \
 {" ".join(PACKAGES)} && rm -rf /wheels
ENV PATH=/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin PYTHONDONTWRITEBYTECODE=1
COPY app /app
WORKDIR /app
"""


def wheelhouse() -> Path:
    """Wheels of PACKAGES downloaded once on the host (containers have no network)."""
    folder = settings.cache_dir() / "test-wheels" / "-".join(PACKAGES)
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:"]
        subprocess.run([*pip, "--python-version", "3.11", "-d", str(folder), *PACKAGES], check=True)
        done.touch()
    return folder


def build_test_image(client: docker.DockerClient, context: Path, base: str = BASE_IMAGE) -> str:
    """Build TEST_IMAGE from `base`: a venv with PACKAGES, /app with the stub and netproxy."""
    shutil.copytree(wheelhouse(), context / "wheels", ignore=shutil.ignore_patterns(".*"))
    app = context / "app"
    (app / "harness").mkdir(parents=True)
    for name in HARNESS_FILES:
        src = REPO / "harness" / name
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(src, app / "harness" / name, ignore=ignore)
        else:
            shutil.copy2(src, app / "harness" / name)
    shutil.copy2(HERE / "stub_service.py", app / "stub_service.py")
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=base))
    try:
        previous = client.images.get(TEST_IMAGE).id
    except docker.errors.ImageNotFound:
        previous = None
    image, _ = client.images.build(
        path=str(context), tag=TEST_IMAGE, rm=True, labels={"harness.test": "docker-backend"}
    )
    if previous not in (None, image.id):  # the sources changed: drop the untagged old image
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(previous)
    return TEST_IMAGE


def leftovers(client: docker.DockerClient, run_id: str) -> list[str]:
    """Containers and networks still carrying the run's label."""
    filters = label_filter(run_id)
    return [f"container {c.name}" for c in client.containers.list(all=True, filters=filters)] + [
        f"network {n.name}" for n in client.networks.list(filters=filters)
    ]


def status(url: str, timeout: float = 3.0) -> int | None:
    """HTTP status of GET `url` on 127.0.0.1, or None when it does not answer."""
    try:
        return requests.get(url, timeout=timeout).status_code
    except requests.RequestException:
        return None


def fetch(from_url: str, target: str) -> str:
    """Ask the stub at `from_url` to GET `target` from inside its container; its answer."""
    resp = requests.get(f"{from_url}/fetch", params={"url": target}, timeout=10)
    return resp.text if resp.status_code == 200 else f"failed: {resp.text}"


def stub(
    name: str,
    region: str | None,
    mode: str = "ok",
    *,
    mounts: dict[str, Path] | None = None,
    args: tuple[str, ...] = (),
) -> ServiceSpec:
    """A stub instance (service `stub`) in `region`, or on the core network when None."""
    return ServiceSpec(
        name, "stub", region, "stub_service", ("--mode", mode, *args), mounts=mounts or {}
    )


def proxy_spec() -> ServiceSpec:
    """The real netproxy, spanning every region network and the core (as the stack runs it)."""
    return ServiceSpec(
        "netproxy", "netproxy", None, "harness.netproxy", ready_path="/version", spans_regions=True
    )


class SocketRelay:
    """A UNIX socket relaying to the real engine's; `cut()` makes the engine vanish mid-run."""

    def __init__(self, path: Path, target: str = "/var/run/docker.sock") -> None:
        self.path, self.target = path, target
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> SocketRelay:
        """Listen and relay every connection in daemon threads."""
        self._server.bind(str(self.path))
        self._server.listen()
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # cut
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(src, dst), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and drop every relayed connection, as a dying engine would."""
        self._server.close()
        self.path.unlink(missing_ok=True)
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)
