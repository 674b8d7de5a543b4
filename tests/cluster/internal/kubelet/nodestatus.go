package kubelet

import (
	"context"
	"os"
	"runtime"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// updateStatus posts the node's conditions, addresses, resources and kubelet
// endpoint.
func (n *node) updateStatus(ctx context.Context) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := n.client.CoreV1().Nodes().Get(ctx, n.spec.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		n.fillStatus(&obj.Status)
		_, err = n.client.CoreV1().Nodes().UpdateStatus(ctx, obj, metav1.UpdateOptions{})
		return err
	})
}

func (n *node) fillStatus(status *corev1.NodeStatus) {
	now := metav1.Now()
	status.Capacity = n.spec.Capacity
	status.Allocatable = n.spec.Capacity
	status.Addresses = []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
		{Type: corev1.NodeHostName, Address: n.spec.Name},
	}
	status.DaemonEndpoints.KubeletEndpoint.Port = int32(n.port)
	status.NodeInfo = corev1.NodeSystemInfo{
		MachineID:               n.spec.Name,
		SystemUUID:              n.spec.Name,
		BootID:                  n.spec.Name,
		KernelVersion:           kernelVersion(),
		OSImage:                 "localcluster simulated node",
		ContainerRuntimeVersion: "localcluster://" + Version,
		KubeletVersion:          Version,
		OperatingSystem:         runtime.GOOS,
		Architecture:            "amd64",
	}

	ready := corev1.NodeCondition{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		Reason: "KubeletReady", Message: "kubelet is posting ready status",
	}
	if !n.isReady() {
		ready.Status = corev1.ConditionFalse
		ready.Reason = "KubeletNotReady"
		ready.Message = "container runtime is down: fault injected by localcluster.sh fault node-notready"
	}
	conditions := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		ready,
	}
	for i := range conditions {
		conditions[i].LastHeartbeatTime = now
		conditions[i].LastTransitionTime = transitionTime(status.Conditions, conditions[i], now)
	}
	status.Conditions = conditions
}

// transitionTime keeps a condition's previous transition time unless its
// status changed.
func transitionTime(previous []corev1.NodeCondition, c corev1.NodeCondition, now metav1.Time) metav1.Time {
	for _, p := range previous {
		if p.Type == c.Type && p.Status == c.Status && !p.LastTransitionTime.IsZero() {
			return p.LastTransitionTime
		}
	}
	return now
}

func kernelVersion() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}
