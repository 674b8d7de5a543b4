package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

func TestInitContainersRunInOrder(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := shellPod(uniqueName("init"), "cat /shared/order")
	mount := []corev1.VolumeMount{{Name: "shared", MountPath: "/shared"}}
	spec.Spec.Containers[0].VolumeMounts = mount
	for _, step := range []string{"first", "second"} {
		spec.Spec.InitContainers = append(spec.Spec.InitContainers, corev1.Container{
			Name: step, Image: shellImage, VolumeMounts: mount,
			Command: []string{"sh", "-c", "echo " + step + " >> /shared/order"},
		})
	}
	spec.Spec.Volumes = []corev1.Volume{{Name: "shared", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	pod := createPod(t, ctx, admin, spec)

	waitForPod(t, ctx, admin, pod.Name, "Succeeded", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodSucceeded, nil
	})
	body, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != "first\nsecond\n" {
		t.Errorf("main container read %q, want the init containers' lines in order", body)
	}
}

func TestFailedInitContainerFailsNeverPod(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := shellPod(uniqueName("badinit"), "echo main ran")
	spec.Spec.InitContainers = []corev1.Container{{Name: "init", Image: shellImage, Command: []string{"sh", "-c", "exit 2"}}}
	pod := createPod(t, ctx, admin, spec)

	done := waitForPod(t, ctx, admin, pod.Name, "Failed", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodFailed, nil
	})
	if s := done.Status.ContainerStatuses[0]; s.State.Running != nil || s.State.Terminated != nil {
		t.Errorf("main container ran after its init container failed: %s", describe(done))
	}
}

func TestDeleteKillsAfterGracePeriod(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	// The shell and its sleep ignore SIGTERM, so only SIGKILL ends them. The
	// line "trapped" shows that the shell ignores SIGTERM by now.
	pod := createPod(t, ctx, admin, shellPod(uniqueName("stubborn"), "trap '' TERM; echo trapped; sleep 300"))
	waitForPod(t, ctx, admin, pod.Name, "Running", podRunning)
	pods := admin.client.CoreV1().Pods(testNamespace)
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		body, err := pods.GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		return err == nil && string(body) == "trapped\n", nil
	})
	if err != nil {
		t.Fatalf("waiting for the pod to ignore SIGTERM: %v", err)
	}

	started := time.Now()
	if err := pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](2)}); err != nil {
		t.Fatalf("deleting pod: %v", err)
	}
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("pod still exists %s after deletion: %v", time.Since(started), err)
	}
	if elapsed := time.Since(started); elapsed < 2*time.Second || elapsed > 15*time.Second {
		t.Errorf("pod was removed %s after deletion, want just after its 2s grace period", elapsed)
	}
}
