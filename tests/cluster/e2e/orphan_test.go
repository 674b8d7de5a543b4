package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// markerVariable is set to the pod's name in the container's environment, so
// the test can find the container's processes in /proc.
const markerVariable = "LOCALCLUSTER_TEST_MARKER"

// fastWriter is a container script that writes output as fast as sh can.
const fastWriter = "while true; do echo y; done"

func TestForceDeleteKillsFastWriter(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := startMarkedPod(t, ctx, admin, "orphan-force", nil)

	forceDelete(t, ctx, admin, pod.Name)
	waitForNoProcesses(t, ctx, pod.Name)
}

// TestForceDeleteKillsFollowedWriter deletes a fast writer while a log
// follow stream is open and the test has stopped reading it.
func TestForceDeleteKillsFollowedWriter(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := startMarkedPod(t, ctx, admin, "orphan-follow", nil)

	stream, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatalf("following logs: %v", err)
	}
	defer stream.Close()
	if _, err := io.ReadFull(stream, make([]byte, 64)); err != nil {
		t.Fatalf("reading followed logs: %v", err)
	}

	forceDelete(t, ctx, admin, pod.Name)
	waitForNoProcesses(t, ctx, pod.Name)
}

// TestDeleteKillsFastWriterWithZeroGrace deletes a pod without delete
// options: its terminationGracePeriodSeconds of 0 makes the API server remove
// the object at once, so the kubelet never sees a deletionTimestamp.
func TestDeleteKillsFastWriterWithZeroGrace(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := startMarkedPod(t, ctx, admin, "orphan-zero", ptr.To[int64](0))

	if err := admin.client.CoreV1().Pods(testNamespace).Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting pod: %v", err)
	}
	waitForNoProcesses(t, ctx, pod.Name)
}

// startMarkedPod starts a fast writer pod with markerVariable set to its
// name and waits until its process exists.
func startMarkedPod(t *testing.T, ctx context.Context, u user, prefix string, grace *int64) *corev1.Pod {
	t.Helper()
	spec := shellPod(uniqueName(prefix), fastWriter)
	spec.Spec.TerminationGracePeriodSeconds = grace
	spec.Spec.Containers[0].Env = []corev1.EnvVar{{Name: markerVariable, Value: spec.Name}}
	pod := createPod(t, ctx, u, spec)
	t.Cleanup(func() {
		for _, pid := range markedProcesses(pod.Name) {
			if process, err := os.FindProcess(pid); err == nil {
				_ = process.Kill()
			}
		}
	})

	waitForPod(t, ctx, u, pod.Name, "Running", podRunning)
	if len(markedProcesses(pod.Name)) == 0 {
		t.Fatalf("pod %s is Running, but no process has %s=%s", pod.Name, markerVariable, pod.Name)
	}
	return pod
}

func forceDelete(t *testing.T, ctx context.Context, u user, name string) {
	t.Helper()
	options := metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}
	if err := u.client.CoreV1().Pods(testNamespace).Delete(ctx, name, options); err != nil {
		t.Fatalf("force deleting pod %s: %v", name, err)
	}
}

// waitForNoProcesses fails the test unless every process of the pod is gone
// within 10s.
func waitForNoProcesses(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var left []int
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		left = markedProcesses(name)
		return len(left) == 0, nil
	})
	if err != nil {
		t.Fatalf("processes %v of pod %s still run 10s after its object was deleted", left, name)
	}
}

// markedProcesses returns the ids of the live processes whose environment
// has markerVariable set to value. Zombies are skipped, since their
// environment is gone.
func markedProcesses(value string) []int {
	entry := []byte(markerVariable + "=" + value + "\x00")
	paths, _ := filepath.Glob("/proc/[0-9]*/environ")
	var pids []int
	for _, path := range paths {
		environ, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(environ, entry) && !bytes.Contains(environ, append([]byte{0}, entry...)) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
