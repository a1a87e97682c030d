"""A user's own service for the docker backend tests: a folder with a Dockerfile and a script.

The script serves HTTP with the standard library only (no pip): `GET /health` answers 200
(503 with MODE=never), `POST` anything answers what the container saw (its env, six's version
when installed). MODE=exit prints a line and exits 3 at once. The Dockerfile starts
`FROM ${BASE}`, as a user's must to build offline.
"""

from __future__ import annotations

from pathlib import Path

from harness.backends.base import ServiceSpec

SERVE = """\
import json, os, signal, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = os.environ.get("MODE", "ok")
PORT = int(os.environ["SERVE_PORT"])
print(f"own server: mode {MODE}, port {PORT}", flush=True)
if MODE == "exit":
    print("fatal: no model file found", flush=True)
    sys.exit(3)
try:
    import six
    SIX = six.__version__
except ImportError:
    SIX = None
SEEN = ("SERVE_PORT", "GRPC_PORT", "WHO", "HARNESS_RUN_ID")


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._send(503 if MODE == "never" else 200, {"mode": MODE})
        else:
            self._send(404, {"error": "no route " + self.path})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {key: os.environ.get(key) for key in SEEN}
        self._send(200, {"path": self.path, "env": env, "six": SIX})

    def log_message(self, *args):
        pass


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ThreadingHTTPServer((os.environ.get("SERVE_HOST", "0.0.0.0"), PORT), Handler).serve_forever()
"""

DOCKERFILE = """\
ARG BASE
FROM ${BASE}
COPY serve.py /srv/serve.py
CMD ["python3", "/srv/serve.py"]
"""

DOCKERFILE_WITH_WHEELS = """\
ARG BASE
FROM ${BASE}
COPY wheels /wheels
RUN python3 -m venv /opt/venv \\
    && /opt/venv/bin/pip install -q --no-index --find-links /wheels -r /wheels/requirements.txt \\
    && rm -rf /wheels
COPY serve.py /srv/serve.py
CMD ["/opt/venv/bin/python", "/srv/serve.py"]
"""

PORT = 8500  # not 8080: the backend must publish and dial the service's own port


def own_folder(root: Path, dockerfile: str = DOCKERFILE, name: str = "own-server") -> Path:
    """A build folder under `root`: Dockerfile, serve.py, and noise a build must leave out."""
    folder = root / name
    (folder / "__pycache__").mkdir(parents=True)
    (folder / "Dockerfile").write_text(dockerfile)
    (folder / "serve.py").write_text(SERVE)
    (folder / ".env").write_text("SECRET=1\n")  # a dotfile: not in the context, not in the hash
    (folder / "__pycache__" / "serve.cpython-311.pyc").write_bytes(b"\0")
    return folder


def own_spec(
    name: str = "inference-r1-0",
    region: str | None = "r1",
    *,
    image: str | None = None,
    build: Path | None = None,
    requirements: Path | None = None,
    mode: str = "ok",
    env: dict[str, str] | None = None,
    ready_path: str = "/health",
    ready_timeout_s: float | None = 30.0,
    protocol: str = "open-inference-v2",
) -> ServiceSpec:
    """An own inference instance as S1's builder makes it (module "", the image's own CMD)."""
    return ServiceSpec(
        name,
        "inference",
        region,
        "",
        image=image,
        build=build,
        requirements=requirements,
        port=PORT,
        env={
            "SERVE_PORT": "{port}",
            "GRPC_PORT": "{port:grpc}",
            "WHO": "{instance}@{region}",
            "MODE": mode,
            **(env or {}),
        },
        ready_path=ready_path,
        ready_timeout_s=ready_timeout_s,
        command=("python", "serve.py", "--port", "{port}"),  # the process backend's: ignored
        protocol=protocol,
    )
