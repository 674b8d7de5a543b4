"""Fixtures for the end-to-end tests: the local cluster and the mconv binary.

The tests run the real mconv binary against the local cluster of tests/cluster, whose
API server, controllers and scheduler are Kubernetes' own. The cluster starts once per
session in a temporary state folder and stops at the end. MCONV_E2E_STATE names the
state folder of a cluster that is already running, to reuse it while developing.
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "tests" / "fixtures" / "models"
LOCALCLUSTER = REPO / "tests" / "cluster" / "localcluster.sh"
KUBECTL = REPO / "tests" / "cluster" / "bin" / "kubectl"


@dataclass
class Cluster:
    state: Path

    def kubeconfig(self, user: str) -> Path:
        return self.state / f"{user}.kubeconfig"

    def kubectl(self, *args: str, user: str = "admin", check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        command = [str(KUBECTL), "--kubeconfig", str(self.kubeconfig(user)), *args]
        return subprocess.run(command, capture_output=True, text=True, check=check, input=input, timeout=120)

    def fault(self, *args: str) -> None:
        subprocess.run([str(LOCALCLUSTER), "fault", *args, "--state", str(self.state)], check=True, timeout=180)

    def jobs(self, namespace: str = "default") -> list[str]:
        names = self.kubectl("get", "jobs", "-n", namespace, "-o", "name").stdout.split()
        return [name.split("/", 1)[1] for name in names]

    def claims(self, namespace: str = "default") -> list[str]:
        names = self.kubectl("get", "pvc", "-n", namespace, "-o", "name").stdout.split()
        return [name.split("/", 1)[1] for name in names]


@pytest.fixture(scope="session")
def cluster():
    reused = os.environ.get("MCONV_E2E_STATE")
    if reused:
        state = Path(reused)
        yield Cluster(state)
        return

    state = Path(tempfile.mkdtemp(prefix="mconv-e2e-"))
    subprocess.run([str(LOCALCLUSTER), "start", "--state", str(state)], check=True, timeout=1800)
    try:
        Cluster(state).kubectl("apply", "-f", str(REPO / "deploy" / "rbac.yaml"), "-f", str(REPO / "deploy" / "admission-policy.yaml"))
        yield Cluster(state)
    finally:
        subprocess.run([str(LOCALCLUSTER), "stop", "--state", str(state)], timeout=300)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def mconv_binary() -> Path:
    binary = Path(os.environ.get("MCONV_BINARY", REPO / "build" / "src" / "mconv"))
    if not binary.is_file():
        pytest.fail(f"mconv binary '{binary}' not found; build it first or set MCONV_BINARY")
    return binary


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def mconv(mconv_binary, cluster, workdir):
    """Runs mconv as a user of the local cluster, in the test's own folder."""

    def run(*args: str, user: str = "alice", timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
        command = [str(mconv_binary), "--kubeconfig", str(cluster.kubeconfig(user)), *args]
        environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
        return subprocess.run(command, capture_output=True, text=True, cwd=workdir, timeout=timeout, env=environment)

    return run


@pytest.fixture
def start_mconv(mconv_binary, cluster, workdir):
    """Starts mconv in the background, for tests that interrupt it or cut its connections."""
    started = []

    def start(*args: str, user: str = "alice") -> subprocess.Popen:
        command = [str(mconv_binary), "--kubeconfig", str(cluster.kubeconfig(user)), *args]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=workdir,
                                   env={**os.environ, "NO_COLOR": "1"})
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
