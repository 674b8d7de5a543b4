package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// execTransports builds an executor for each protocol that mconv may use.
var execTransports = []struct {
	name string
	new  func(u user, target *url.URL) (remotecommand.Executor, error)
}{
	{"websocket", func(u user, target *url.URL) (remotecommand.Executor, error) {
		return remotecommand.NewWebSocketExecutor(u.config, "GET", target.String())
	}},
	{"spdy", func(u user, target *url.URL) (remotecommand.Executor, error) {
		return remotecommand.NewSPDYExecutor(u.config, "POST", target)
	}},
}

func execURL(u user, pod string, command ...string) *url.URL {
	return u.client.CoreV1().RESTClient().Post().
		Namespace(testNamespace).Resource("pods").Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: "main", Command: command, Stdin: true, Stdout: true, Stderr: true,
		}, scheme.ParameterCodec).URL()
}

func TestExecRoundTripsStdin(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 2*time.Minute)
	pod := createPod(t, ctx, alice, shellPod(uniqueName("exec"), "sleep 300"))
	waitForPod(t, ctx, alice, pod.Name, "Running", podRunning)

	payload := strings.Repeat("model bytes\n", 20000)
	for _, transport := range execTransports {
		t.Run(transport.name, func(t *testing.T) {
			stdout, stderr, err := runExec(ctx, alice, transport.new, pod.Name, payload,
				"sh", "-c", "cat; echo done >&2; exit 7")
			var exitErr utilexec.CodeExitError
			if !errors.As(err, &exitErr) {
				t.Fatalf("exec error = %v, want exit code 7", err)
			}
			if exitErr.Code != 7 {
				t.Errorf("exit code = %d, want 7", exitErr.Code)
			}
			if stdout != payload {
				t.Errorf("stdout has %d bytes, want the %d bytes sent on stdin", len(stdout), len(payload))
			}
			if stderr != "done\n" {
				t.Errorf("stderr = %q, want %q", stderr, "done\n")
			}
		})
	}
}

func TestExecSeesVolumesAndEnv(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := shellPod(uniqueName("execvol"), "echo ready > /scratch/state; sleep 300")
	spec.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "GREETING", Value: "hello"}}
	spec.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "scratch", MountPath: "/scratch"}}
	spec.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	pod := createPod(t, ctx, admin, spec)
	waitForPod(t, ctx, admin, pod.Name, "Running", podRunning)

	var stdout string
	var err error
	for range 20 {
		stdout, _, err = runExec(ctx, admin, execTransports[0].new, pod.Name, "", "sh", "-c", "cat /scratch/state; echo $GREETING")
		if err == nil && stdout == "ready\nhello\n" {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("exec output = %q, error %v; want the volume's file and the container's env", stdout, err)
}

func runExec(ctx context.Context, u user, newExecutor func(user, *url.URL) (remotecommand.Executor, error), pod, stdin string, command ...string) (string, string, error) {
	executor, err := newExecutor(u, execURL(u, pod, command...))
	if err != nil {
		return "", "", err
	}
	var stdout, stderr bytes.Buffer
	err = executor.StreamWithContext(ctx, remotecommand.StreamOptions{
		Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
	})
	return stdout.String(), stderr.String(), err
}
