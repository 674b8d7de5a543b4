package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// fault runs "localcluster fault HOOK ARGS" against the test cluster.
func fault(t *testing.T, args ...string) {
	t.Helper()
	full := append([]string{"fault", "--state", os.Getenv("LOCALCLUSTER_STATE")}, args...)
	out, err := exec.Command("../bin/localcluster", full...).CombinedOutput()
	if err != nil {
		t.Fatalf("fault %v: %v: %s", args, err, out)
	}
}

func TestCutConnectionsEndsWatch(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	watcher, err := admin.client.CoreV1().Pods(testNamespace).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("starting watch: %v", err)
	}
	defer watcher.Stop()

	fault(t, "cut-connections")
	timeout := time.After(20 * time.Second)
	for {
		select {
		case _, open := <-watcher.ResultChan():
			if !open {
				return
			}
		case <-timeout:
			t.Fatal("watch still open 20s after cutting connections")
		}
	}
}

func TestCutConnectionsEndsLogFollow(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := createPod(t, ctx, admin, shellPod(uniqueName("cutlogs"), "while true; do echo tick; sleep 1; done"))
	waitForPod(t, ctx, admin, pod.Name, "Running", podRunning)

	stream, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatalf("opening log stream: %v", err)
	}
	defer stream.Close()
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, stream)
		ended <- err
	}()

	fault(t, "cut-connections")
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("log stream still open 20s after cutting connections, while the container runs")
	}
}

func TestKillPodFailsNeverPod(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := createPod(t, ctx, admin, shellPod(uniqueName("killed"), "sleep 300"))
	waitForPod(t, ctx, admin, pod.Name, "Running", podRunning)

	fault(t, "kill-pod", testNamespace, pod.Name)
	done := waitForPod(t, ctx, admin, pod.Name, "Failed", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodFailed, nil
	})
	if code := done.Status.ContainerStatuses[0].State.Terminated.ExitCode; code != 137 {
		t.Errorf("exit code = %d, want 137 (SIGKILL)", code)
	}
}

func TestNodeNotReadyAndBack(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	const node = "cpu-0"
	t.Cleanup(func() { fault(t, "node-ready", node) })

	fault(t, "node-notready", node)
	waitForNodeReady(t, ctx, admin, node, corev1.ConditionFalse)
	fault(t, "node-ready", node)
	waitForNodeReady(t, ctx, admin, node, corev1.ConditionTrue)
}

func waitForNodeReady(t *testing.T, ctx context.Context, u user, name string, want corev1.ConditionStatus) {
	t.Helper()
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		node, err := u.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == want, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("waiting for node %s Ready=%s: %v", name, want, err)
	}
}

func TestRestartAPIServer(t *testing.T) {
	admin := connect(t, "admin")
	fault(t, "restart-apiserver")
	ctx := testContext(t, 2*time.Minute)
	if _, err := admin.client.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("API server not usable after restart: %v", err)
	}

	// The controllers, scheduler and kubelet reconnect (or are restarted),
	// so a Job still runs to completion.
	name := uniqueName("after-restart")
	createJob(t, ctx, admin, shellJob(name, "echo still working"))
	if got := waitForJobCondition(t, ctx, admin, name); got != batchv1.JobComplete {
		t.Fatalf("Job %s ended with condition %s after the API server restart, want Complete", name, got)
	}
}
