"""Ctrl-C at each stage of a conversion leaves nothing behind in the cluster."""

import signal
import subprocess
import sys

import pytest

from conftest import REPO
from test_convert import namespace  # noqa: F401  (a fixture)
from test_failures import wait_for_output, wait_until


@pytest.fixture(scope="module")
def big_model(tmp_path_factory):
    """A 64 MiB ONNX model: its upload and its checks take long enough to interrupt."""
    path = tmp_path_factory.mktemp("models") / "big.onnx"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_onnx_model.py"), str(path), "64"], check=True)
    return path


@pytest.mark.parametrize(
    ("stage", "pattern"),
    [
        ("waiting for the pod", r"waiting for the converter pod to start"),
        ("uploading", r"uploading big\.onnx +[0-9]+%"),
        ("following the log", r"converter stage: (verifying|checking|building)"),
    ],
)
def test_ctrl_c_deletes_what_the_run_created(cluster, namespace, start_mconv, big_model, stage, pattern):
    process = start_mconv("convert", str(big_model), "--gpu", "cpu", "--backend", "onnx", "-n", namespace)
    wait_for_output(process, pattern)

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 130, output
    assert "interrupted; deleted job" in output
    assert wait_until(lambda: cluster.jobs(namespace) == []), stage
    assert wait_until(lambda: cluster.claims(namespace) == []), stage
    assert wait_until(lambda: cluster.kubectl("get", "pods", "-n", namespace, "-o", "name").stdout == ""), stage


def test_ctrl_c_with_keep_leaves_the_job(cluster, namespace, start_mconv, big_model):
    process = start_mconv("convert", str(big_model), "--gpu", "cpu", "--backend", "onnx", "-n", namespace, "--keep")
    wait_for_output(process, r"waiting for the converter pod to start")

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 130, output
    assert "stays in the cluster" in output
    assert len(cluster.jobs(namespace)) == 1
