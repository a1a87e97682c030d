"""`harness run` on docker with a broken own service: exit 2, the cause named, nothing left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docker
import pytest
from own_support import own_folder

from harness.backends.docker_names import LABEL_SCENARIO

SCENARIO = """\
name: {name}
stack:
  architecture: active-passive
  regions:
    - name: us-east-1
      inference: {{replicas: 1, {service}, port: 8500, health: {{path: /health, timeout: 20s}}}}
    - name: eu-west-1
      inference: {{replicas: 1}}
load:
  rate: 5
  phases: {{baseline: 4s, fault: 4s, recovery: 4s}}
faults:
  - kind: region_outage
    target: {{region: us-east-1}}
    at: 5s
    duration: 2s
"""
EXITS_FOLDER = "harness-test-exits"
EXITS = """\
ARG BASE
FROM ${BASE}
CMD ["python3", "-c", "import sys; print('cannot load model.joblib'); sys.exit(4)"]
"""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "image 'harness-own/missing-server:1' does not exist on the Docker engine"),
        ("exits", "exited with code 4 while starting"),
    ],
)
def test_run_stops_with_exit_2_and_leaves_nothing(
    engine: docker.DockerClient, tmp_path: Path, case: str, expected: str
) -> None:
    name = f"own-{case}-{tmp_path.name[-12:]}".lower().replace("_", "-")
    if case == "missing":
        service = "image: harness-own/missing-server:1"
    else:
        own_folder(tmp_path, EXITS, name=EXITS_FOLDER)
        service = f"build: {EXITS_FOLDER}"
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(name=name, service=service))
    argv = ["run", str(scenario), "--backend", "docker", "--out", str(tmp_path / "run")]
    proc = subprocess.run(
        [sys.executable, "-m", "harness", *argv, "--time-scale", "0.25", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(proc.stderr)
    assert proc.returncode == 2
    assert "inference-us-east-1-0 (" in proc.stderr and "region us-east-1" in proc.stderr
    assert expected in proc.stderr
    if case == "exits":
        assert "cannot load model.joblib" in proc.stderr  # the container's log tail
    label = {"label": f"{LABEL_SCENARIO}={name}"}
    assert engine.containers.list(all=True, filters=label) == []
    assert engine.networks.list(filters=label) == []
    for image in engine.images.list(filters={"label": f"harness.own-image={EXITS_FOLDER}"}):
        engine.images.remove(image.id, force=True)  # only this test builds that name
