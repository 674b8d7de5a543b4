package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func TestUnknownImageFailsToPull(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := shellPod(uniqueName("badimage"), "true")
	spec.Spec.Containers[0].Image = "registry.invalid/missing:1"
	pod := createPod(t, ctx, admin, spec)

	reasons := map[string]bool{}
	waitForPod(t, ctx, admin, pod.Name, "in ImagePullBackOff", func(p *corev1.Pod) (bool, error) {
		if p.Status.Phase != corev1.PodPending {
			t.Errorf("phase = %s, want Pending", p.Status.Phase)
		}
		for _, s := range p.Status.ContainerStatuses {
			if s.State.Waiting == nil {
				continue
			}
			reasons[s.State.Waiting.Reason] = true
			if s.State.Waiting.Reason == "ErrImagePull" && !strings.Contains(s.State.Waiting.Message, "not found") {
				t.Errorf("ErrImagePull message %q does not say the image was not found", s.State.Waiting.Message)
			}
		}
		return reasons["ImagePullBackOff"], nil
	})
	if !reasons["ErrImagePull"] {
		t.Errorf("saw waiting reasons %v, want ErrImagePull before ImagePullBackOff", reasons)
	}
}

func TestConverterImageIsMapped(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := shellPod(uniqueName("converter"), `echo "$PATH" | cut -d: -f1`)
	spec.Spec.Containers[0].Image = converterImage(t)
	pod := createPod(t, ctx, admin, spec)

	waitForPod(t, ctx, admin, pod.Name, "Succeeded", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodSucceeded, nil
	})
	body, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(body)); !strings.HasSuffix(got, "/converter/bin") {
		t.Errorf("first PATH entry = %q, want the repository's converter/bin", got)
	}
}

// converterImage returns the CPU converter image pinned in images.lock.
func converterImage(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../../images.lock")
	if err != nil {
		t.Fatalf("reading images.lock: %v", err)
	}
	var lock struct {
		Images map[string]struct {
			Image string `json:"image"`
		} `json:"images"`
	}
	if err := yaml.Unmarshal(data, &lock); err != nil {
		t.Fatalf("parsing images.lock: %v", err)
	}
	image := lock.Images["cpu"].Image
	if image == "" {
		t.Fatal("images.lock has no images.cpu.image")
	}
	return image
}
