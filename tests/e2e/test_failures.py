"""Each way a conversion can stall or fail, produced for real on the local cluster,
with the message and exit code that users and CI scripts see."""

import json
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import MODELS, REPO
from test_convert import namespace  # noqa: F401  (a fixture)


def write_kubeconfig(cluster, workdir: Path, change) -> Path:
    """Writes a copy of alice's kubeconfig, changed by `change(config)`."""
    config = json.loads(cluster.kubectl("config", "view", "--raw", "-o", "json", user="alice").stdout)
    change(config)
    path = workdir / f"kubeconfig-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(config))
    return path


def wait_for_output(process: subprocess.Popen, pattern: str, timeout: float = 120) -> str:
    """Reads the process's output until a line matches; returns everything read."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if re.search(pattern, line):
            return seen
    pytest.fail(f"no line matching {pattern!r} within {timeout} s; output so far:\n{seen}")


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def catalog_with(workdir: Path, extra_entry: str) -> Path:
    path = workdir / "gpu-catalog.yaml"
    path.write_text((REPO / "gpu-catalog.yaml").read_text() + extra_entry)
    return path


def test_weights_only_checkpoint_is_rejected_before_submitting(mconv, cluster, namespace):
    result = mconv("convert", str(MODELS / "tiny_cnn.state_dict.pt"), "--gpu", "cpu", "-n", namespace)

    assert result.returncode == 4
    assert "holds only weights" in result.stderr
    assert cluster.jobs(namespace) == []


def test_image_pull_failure_names_the_image(mconv, cluster, namespace, workdir):
    lock = workdir / "images.lock"
    missing = "sha256:" + "e" * 64
    lock.write_text(re.sub(r"(converter-cpu@)sha256:[0-9a-f]{64}", r"\g<1>" + missing, (REPO / "images.lock").read_text()))

    result = mconv("--images-lock", str(lock), "convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace)

    assert result.returncode == 8
    assert f"cannot pull the converter image 'registry.example.com/mconv/converter-cpu@{missing}'" in result.stderr
    assert "pull secret" in result.stderr
    assert wait_until(lambda: cluster.jobs(namespace) == [])


def test_missing_gpu_gives_up_after_schedule_timeout(mconv, cluster, namespace, workdir):
    catalog = catalog_with(workdir, """
  - name: B200
    nodeLabels:
      - nvidia.com/gpu.product: [NVIDIA-B200]
    resources:
      nvidia.com/gpu: 1
    computeCapability: "9.0"
    image: tensorrt
""")

    result = mconv("--catalog", str(catalog), "convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "B200", "-n", namespace,
                   "--schedule-timeout", "5s")

    assert result.returncode == 9
    assert "no node in the cluster has a B200 GPU" in result.stderr
    assert wait_until(lambda: cluster.jobs(namespace) == [])


def test_busy_gpu_waits_and_ctrl_c_cleans_up(cluster, namespace, start_mconv):
    blocker = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "holds-the-t4", "namespace": namespace},
        "spec": {
            "nodeSelector": {"nvidia.com/gpu.product": "Tesla-T4"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
            "containers": [{"name": "sleep", "image": "mconv.test/shell:1", "command": ["sleep", "3600"],
                            "resources": {"limits": {"nvidia.com/gpu": "1"}}}],
        },
    }
    cluster.kubectl("apply", "-f", "-", input=json.dumps(blocker))
    try:
        process = start_mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "T4", "-n", namespace)
        wait_for_output(process, r"all 1 T4 GPU node\(s\) are busy")
        assert cluster.jobs(namespace) != []

        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)

        assert process.returncode == 130
        assert "interrupted; deleted job" in output
        assert wait_until(lambda: cluster.jobs(namespace) == [] and cluster.claims(namespace) == [])
    finally:
        cluster.kubectl("delete", "pod", "holds-the-t4", "-n", namespace, "--wait=false", check=False)


def test_unbound_claim_is_explained(cluster, namespace, start_mconv):
    process = start_mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace, "--storage-class", "no-such-class")

    wait_for_output(process, r"staging volume claim is not bound yet")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)

    assert process.returncode == 130
    assert wait_until(lambda: cluster.jobs(namespace) == [])


def test_converter_failure_reports_exit_code_and_log(mconv, cluster, namespace):
    result = mconv("convert", str(MODELS / "tiny_cnn.torchscript.pt"), "--gpu", "cpu", "-n", namespace, "--shape", "x=1x3x64x64")

    assert result.returncode == 8
    assert "the conversion failed" in result.stderr
    assert re.search(r"exit code 1[0-3]: ", result.stderr)
    assert "last lines of the converter's log" in result.stderr
    job = cluster.jobs(namespace)[0]
    # Since Kubernetes 1.31 the Failed condition follows once the pod has terminated.
    failed_reason = "jsonpath={.status.conditions[?(@.type=='Failed')].reason}"
    assert wait_until(lambda: cluster.kubectl("get", "job", job, "-n", namespace, "-o", failed_reason).stdout == "PodFailurePolicy")

    again = mconv("convert", str(MODELS / "tiny_cnn.torchscript.pt"), "--gpu", "cpu", "-n", namespace, "--shape", "x=1x3x64x64")
    assert again.returncode == 8
    assert "an earlier run of this conversion failed" in again.stderr
    assert "pass --rerun" in again.stderr


def test_deadline_exceeded_is_reported(mconv, namespace):
    # A claim that never binds keeps the pod from starting, so the deadline always passes first.
    result = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace, "--timeout", "3s",
                   "--storage-class", "no-such-class")

    assert result.returncode == 8
    assert "DeadlineExceeded" in result.stderr


def test_quota_exceeded_is_reported(mconv, cluster, namespace):
    cluster.kubectl("create", "quota", "no-pods", "-n", namespace, "--hard=pods=0")

    result = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace, timeout=120)

    assert result.returncode == 7
    assert "resource quota" in result.stderr
    assert "exceeded quota" in result.stderr


def test_forbidden_names_verb_and_resource(mconv, cluster):
    name = f"e2e-closed-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    try:
        result = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", name)
    finally:
        cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)

    assert result.returncode == 7
    assert "Forbidden" in result.stderr
    assert 'cannot get resource "jobs"' in result.stderr or 'cannot create resource "jobs"' in result.stderr


def test_unauthorized_credentials(mconv_binary, cluster, workdir):
    def use_bad_token(config):
        user = config["users"][0]["user"]
        user.pop("client-certificate-data", None)
        user.pop("client-key-data", None)
        user["token"] = "not-a-valid-token"

    kubeconfig = write_kubeconfig(cluster, workdir, use_bad_token)
    result = subprocess.run([str(mconv_binary), "--kubeconfig", str(kubeconfig), "convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu"],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 7
    assert "Unauthorized" in result.stderr


def test_unreachable_api_server(mconv_binary, cluster, workdir):
    kubeconfig = write_kubeconfig(cluster, workdir, lambda config: config["clusters"][0]["cluster"].update(server="https://127.0.0.1:1"))
    result = subprocess.run([str(mconv_binary), "--kubeconfig", str(kubeconfig), "list"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 6
    assert "127.0.0.1:1" in result.stderr
    assert "did you specify the right host or port?" in result.stderr


def test_tls_failure_with_wrong_ca(mconv_binary, cluster, workdir):
    key, cert = workdir / "other-ca.key", workdir / "other-ca.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=not-the-cluster-ca"], check=True, capture_output=True)
    import base64

    other_ca = base64.b64encode(cert.read_bytes()).decode()
    kubeconfig = write_kubeconfig(cluster, workdir, lambda config: config["clusters"][0]["cluster"].update({"certificate-authority-data": other_ca}))
    result = subprocess.run([str(mconv_binary), "--kubeconfig", str(kubeconfig), "list"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 6
    assert "certificate" in result.stderr.lower()
