package kubelet

import (
	"context"
	"fmt"
	"log"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// syncStatus writes the pod's current status to the API server. Calls are
// serialized, so an older status never overwrites a newer one.
func (w *podWorker) syncStatus(ctx context.Context) {
	w.statusMu.Lock()
	defer w.statusMu.Unlock()
	pods := w.node.client.CoreV1().Pods(w.namespace)

	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		pod, err := pods.Get(ctx, w.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if pod.UID != w.uid {
			return nil
		}
		w.mu.Lock()
		pod.Status = w.buildStatus(pod.Status)
		w.mu.Unlock()
		_, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		return err
	})
	// Once the pod is deleted, the Node authorizer forbids reading it.
	deleted := apierrors.IsNotFound(err) || apierrors.IsForbidden(err) && w.interrupted()
	if err != nil && !deleted && ctx.Err() == nil {
		log.Printf("pod %s/%s: updating status: %v", w.namespace, w.name, err)
	}
}

// buildStatus returns the status a kubelet would report now. The caller
// holds w.mu.
func (w *podWorker) buildStatus(previous corev1.PodStatus) corev1.PodStatus {
	status := corev1.PodStatus{
		Phase:     w.phase(),
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     "127.0.0.1",
		PodIPs:    []corev1.PodIP{{IP: "127.0.0.1"}},
		StartTime: w.startTime,
		QOSClass:  previous.QOSClass,
	}
	for _, c := range w.initContainers {
		status.InitContainerStatuses = append(status.InitContainerStatuses, c.status())
	}
	for _, c := range w.containers {
		status.ContainerStatuses = append(status.ContainerStatuses, c.status())
	}
	status.Conditions = w.conditions(previous.Conditions, status.Phase)
	return status
}

// phase follows the kubelet's rules: Pending until every init container
// succeeded and each main container started once; Succeeded or Failed once
// no container will run again; Running in between. A pod deleted before it
// finished is Failed unless every container exited with 0.
func (w *podWorker) phase() corev1.PodPhase {
	if w.failed {
		return corev1.PodFailed
	}
	if !w.initialized {
		if w.finished {
			return corev1.PodFailed
		}
		return corev1.PodPending
	}

	allFinal, anyFailed, anyStarted := true, false, false
	for _, c := range w.containers {
		allFinal = allFinal && c.final
		anyFailed = anyFailed || c.failedLast()
		anyStarted = anyStarted || c.state.Running != nil || c.state.Terminated != nil || c.restartCount > 0
	}
	switch {
	case allFinal && anyFailed:
		return corev1.PodFailed
	case allFinal && !anyStarted:
		return corev1.PodFailed
	case allFinal:
		return corev1.PodSucceeded
	case anyStarted:
		return corev1.PodRunning
	default:
		return corev1.PodPending
	}
}

// failedLast reports whether the container's last instance exited non-zero.
func (c *container) failedLast() bool {
	if t := c.state.Terminated; t != nil {
		return t.ExitCode != 0
	}
	if t := c.lastState.Terminated; c.state.Waiting != nil && t != nil {
		return t.ExitCode != 0
	}
	return false
}

func (c *container) status() corev1.ContainerStatus {
	running := c.state.Running != nil
	return corev1.ContainerStatus{
		Name:                 c.spec.Name,
		State:                c.state,
		LastTerminationState: c.lastState,
		Ready:                running && !c.isInit || c.isInit && c.state.Terminated != nil && c.state.Terminated.ExitCode == 0,
		RestartCount:         c.restartCount,
		Image:                c.spec.Image,
		ImageID:              c.spec.Image,
		ContainerID:          c.id,
		Started:              ptr.To(running),
	}
}

func (w *podWorker) conditions(previous []corev1.PodCondition, phase corev1.PodPhase) []corev1.PodCondition {
	var unready []string
	for _, c := range w.containers {
		if c.state.Running == nil {
			unready = append(unready, c.spec.Name)
		}
	}
	var uninitialized []string
	for _, c := range w.initContainers {
		if !c.final || c.state.Terminated == nil || c.state.Terminated.ExitCode != 0 {
			uninitialized = append(uninitialized, c.spec.Name)
		}
	}

	sandboxReady := condition("PodReadyToStartContainers", w.sandbox != nil, "", "")
	initialized := condition(corev1.PodInitialized, len(uninitialized) == 0 || w.initialized, "ContainersNotInitialized",
		fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(uninitialized, " ")))
	readyReason, readyMessage := "ContainersNotReady", fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
	if phase == corev1.PodSucceeded || phase == corev1.PodFailed {
		readyReason, readyMessage = "PodCompleted", ""
	}
	isReady := len(unready) == 0 && phase == corev1.PodRunning
	conditions := []corev1.PodCondition{
		sandboxReady,
		initialized,
		condition(corev1.ContainersReady, isReady, readyReason, readyMessage),
		condition(corev1.PodReady, isReady, readyReason, readyMessage),
	}
	for _, p := range previous {
		if p.Type == corev1.PodScheduled || p.Type == corev1.DisruptionTarget {
			conditions = append(conditions, p)
		}
	}
	now := metav1.Now()
	for i := range conditions {
		conditions[i].LastTransitionTime = podTransitionTime(previous, conditions[i], now)
	}
	return conditions
}

func condition(kind corev1.PodConditionType, ok bool, reason, message string) corev1.PodCondition {
	if ok {
		return corev1.PodCondition{Type: kind, Status: corev1.ConditionTrue}
	}
	return corev1.PodCondition{Type: kind, Status: corev1.ConditionFalse, Reason: reason, Message: message}
}

func podTransitionTime(previous []corev1.PodCondition, c corev1.PodCondition, now metav1.Time) metav1.Time {
	for _, p := range previous {
		if p.Type == c.Type && p.Status == c.Status && !p.LastTransitionTime.IsZero() {
			return p.LastTransitionTime
		}
	}
	return now
}
