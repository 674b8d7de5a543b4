// Package e2e tests a running local cluster end to end, through the real API
// server, as mconv uses it. run-tests.sh starts a cluster and sets
// LOCALCLUSTER_STATE to its state folder; without it the tests are skipped.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// shellImage runs host commands; tests/cluster/images.yaml maps it.
const shellImage = "mconv.test/shell:1"

// user is one identity of the cluster with its client.
type user struct {
	config *rest.Config
	client kubernetes.Interface
}

// connect returns a client for one of the cluster's users (admin, alice,
// bob), skipping the test when no cluster is configured.
func connect(t *testing.T, name string) user {
	t.Helper()
	stateDir := os.Getenv("LOCALCLUSTER_STATE")
	if stateDir == "" {
		t.Skip("LOCALCLUSTER_STATE is not set; run tests/cluster/run-tests.sh")
	}
	config, err := clientcmd.BuildConfigFromFlags("", filepath.Join(stateDir, name+".kubeconfig"))
	if err != nil {
		t.Fatalf("loading kubeconfig of %s: %v", name, err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatalf("creating client of %s: %v", name, err)
	}
	return user{config: config, client: client}
}

// uniqueName returns prefix plus a random suffix, so tests never clash with
// objects of earlier runs.
func uniqueName(prefix string) string {
	return prefix + "-" + rand.String(6)
}

func testContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// shellPod returns a pod that runs script with sh and never restarts.
func shellPod(name, script string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{
				Name:    "main",
				Image:   shellImage,
				Command: []string{"sh", "-c", script},
			}},
		},
	}
}

// createPod creates pod in the test namespace and deletes it when the test
// ends.
func createPod(t *testing.T, ctx context.Context, u user, pod *corev1.Pod) *corev1.Pod {
	t.Helper()
	pods := u.client.CoreV1().Pods(testNamespace)
	created, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating pod %s: %v", pod.Name, err)
	}
	t.Cleanup(func() {
		_ = pods.Delete(context.Background(), pod.Name, metav1.DeleteOptions{})
	})
	return created
}

// waitForPod polls the pod until done returns true or an error.
func waitForPod(t *testing.T, ctx context.Context, u user, name string, what string, done func(*corev1.Pod) (bool, error)) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pod, err := u.client.CoreV1().Pods(testNamespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = pod
		return done(pod)
	})
	if err != nil {
		t.Fatalf("waiting for pod %s to be %s: %v; last status: %s", name, what, err, describe(last))
	}
	return last
}

func podRunning(pod *corev1.Pod) (bool, error) {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false, fmt.Errorf("pod ended with phase %s", pod.Status.Phase)
	}
	return pod.Status.Phase == corev1.PodRunning, nil
}

func describe(pod *corev1.Pod) string {
	if pod == nil {
		return "none"
	}
	var parts []string
	parts = append(parts, "phase="+string(pod.Status.Phase))
	for _, s := range pod.Status.ContainerStatuses {
		switch {
		case s.State.Waiting != nil:
			parts = append(parts, fmt.Sprintf("%s waiting %s: %s", s.Name, s.State.Waiting.Reason, s.State.Waiting.Message))
		case s.State.Running != nil:
			parts = append(parts, s.Name+" running")
		case s.State.Terminated != nil:
			parts = append(parts, fmt.Sprintf("%s terminated %d %s", s.Name, s.State.Terminated.ExitCode, s.State.Terminated.Reason))
		}
	}
	return strings.Join(parts, ", ")
}
