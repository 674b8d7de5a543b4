"""A conversion survives a restarted API server and cut connections."""

import json
import time

from conftest import MODELS, REPO
from test_convert import namespace, sha256_of  # noqa: F401  (a fixture)
from test_failures import wait_for_output


def test_conversion_survives_restart_and_cuts(cluster, namespace, start_mconv, workdir):
    # A CPU entry pinned to the cpu-0 node, which a blocking pod keeps busy, so the
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
    blocker = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fills-cpu-0", "namespace": namespace},
        "spec": {
            "nodeSelector": {"kubernetes.io/hostname": "cpu-0"},
            "containers": [{"name": "sleep", "image": "mconv.test/shell:1", "command": ["sleep", "3600"],
                            "resources": {"requests": {"cpu": "7"}}}],
        },
    }
    cluster.kubectl("apply", "-f", "-", input=json.dumps(blocker))

    process = start_mconv("--catalog", str(catalog), "convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu-zero", "-n", namespace)
    output = wait_for_output(process, r"too little CPU or memory free")

    cluster.fault("restart-apiserver")
    cluster.fault("cut-connections")
    time.sleep(2)
    cluster.fault("cut-connections")
    cluster.kubectl("delete", "pod", "fills-cpu-0", "-n", namespace, "--grace-period=0", "--force")

    rest, _ = process.communicate(timeout=300)
    output += rest
    assert process.returncode == 0, output
    metadata = json.loads((workdir / "tiny_cnn.cpu-zero.blob.json").read_text())
    assert sha256_of(workdir / "tiny_cnn.cpu-zero.blob") == metadata["output"]["sha256"]
    # Each converter stage shows once: no log line was repeated after the cuts.
    stages = [line for line in output.splitlines() if line.startswith("mconv: converter stage:")]
    assert len(stages) == len(set(stages)), output
