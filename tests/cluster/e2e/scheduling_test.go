package e2e

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// t4Pod returns a pod that asks for the T4 node's one GPU, as a conversion
// Job's pod does.
func t4Pod(name string) *corev1.Pod {
	pod := shellPod(name, "sleep 300")
	pod.Spec.NodeSelector = map[string]string{"nvidia.com/gpu.product": "Tesla-T4"}
	pod.Spec.Tolerations = []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	gpu := corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")}
	pod.Spec.Containers[0].Resources = corev1.ResourceRequirements{Limits: gpu, Requests: gpu}
	return pod
}

func TestSecondGPUPodWaitsForBusyGPU(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)

	first := createPod(t, ctx, admin, t4Pod(uniqueName("gpu-first")))
	running := waitForPod(t, ctx, admin, first.Name, "Running", podRunning)
	if running.Spec.NodeName != "gpu-t4-0" {
		t.Fatalf("GPU pod landed on %q, want gpu-t4-0", running.Spec.NodeName)
	}

	second := createPod(t, ctx, admin, t4Pod(uniqueName("gpu-second")))
	waitForPod(t, ctx, admin, second.Name, "unschedulable", func(p *corev1.Pod) (bool, error) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
				if !strings.Contains(c.Message, "Insufficient nvidia.com/gpu") {
					t.Errorf("unschedulable message %q does not name the GPU", c.Message)
				}
				return true, nil
			}
		}
		return false, nil
	})
}

func TestGPUNodeRejectsPodWithoutToleration(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	spec := t4Pod(uniqueName("gpu-untolerated"))
	spec.Spec.Tolerations = nil
	pod := createPod(t, ctx, admin, spec)

	waitForPod(t, ctx, admin, pod.Name, "unschedulable", func(p *corev1.Pod) (bool, error) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
				if !strings.Contains(c.Message, "untolerated taint") {
					t.Errorf("unschedulable message %q does not name the taint", c.Message)
				}
				return true, nil
			}
		}
		return false, nil
	})
}
