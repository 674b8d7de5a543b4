"""A conversion survives a restarted API server and cut connections."""

import json
import time

from conftest import MODELS, REPO
from test_convert import namespace, sha256_of  # noqa: F401  (a fixture)
from test_failures import wait_for_output


def test_conversion_survives_restart_and_cuts(cluster, namespace, start_mconv, workdir):
    # A CPU entry pinned to the cpu-0 node, which a taint keeps closed, so the
    # conversion waits long enough for the faults.
    catalog = workdir / "gpu-catalog.yaml"
    catalog.write_text((REPO / "gpu-catalog.yaml").read_text() + """
  - name: cpu-zero
    nodeLabels:
      - kubernetes.io/hostname: [cpu-0]
    resources:
      cpu: 2
    image: cpu
""")
    cluster.kubectl("taint", "nodes", "cpu-0", "mconv-e2e=closed:NoSchedule", "--overwrite")
    try:
        process = start_mconv("--catalog", str(catalog), "convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu-zero", "-n", namespace)
        output = wait_for_output(process, r"carry taints that the catalog.s tolerations for cpu-zero do not cover")

        cluster.fault("restart-apiserver")
        cluster.fault("cut-connections")
        time.sleep(2)
        cluster.fault("cut-connections")
    finally:
        cluster.kubectl("taint", "nodes", "cpu-0", "mconv-e2e=closed:NoSchedule-", check=False)

    rest, _ = process.communicate(timeout=300)
    output += rest
    assert process.returncode == 0, output
    metadata = json.loads((workdir / "tiny_cnn.cpu-zero.blob.json").read_text())
    assert sha256_of(workdir / "tiny_cnn.cpu-zero.blob") == metadata["output"]["sha256"]
    # Each converter stage shows once: no log line was repeated after the cuts.
    stages = [line for line in output.splitlines() if line.startswith("mconv: converter stage:")]
    assert len(stages) == len(set(stages)), output
