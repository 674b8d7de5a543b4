package kubelet

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

const defaultGracePeriod = 30 * time.Second

// podWorker runs one pod from binding to deletion: images, volumes,
// sandbox, init containers in order, then the main containers with their
// restart policy, and finally the kubelet's part of deletion.
type podWorker struct {
	node      *node
	uid       types.UID
	namespace string
	name      string
	created   time.Time
	// dir is the pod's folder: STATE/pods/NAMESPACE_NAME_UID.
	dir string

	mu             sync.Mutex
	pod            *corev1.Pod
	startTime      *metav1.Time
	sandbox        *sandboxProcess
	initContainers []*container
	containers     []*container
	initialized    bool
	// failed is set when the pod failed as a whole, for example an init
	// container failed under restartPolicy Never.
	failed   bool
	finished bool

	statusMu sync.Mutex

	deleting, gone, stopping       chan struct{}
	deleteOnce, goneOnce, stopOnce sync.Once
	done                           chan struct{}
}

func newPodWorker(n *node, pod *corev1.Pod) *podWorker {
	w := &podWorker{
		node:      n,
		uid:       pod.UID,
		namespace: pod.Namespace,
		name:      pod.Name,
		created:   pod.CreationTimestamp.Time,
		dir:       filepath.Join(n.kubelet.layout.Pods(), fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID)),
		pod:       pod,
		deleting:  make(chan struct{}),
		gone:      make(chan struct{}),
		stopping:  make(chan struct{}),
		done:      make(chan struct{}),
	}
	for _, spec := range pod.Spec.InitContainers {
		w.initContainers = append(w.initContainers, newContainer(spec, true))
	}
	for _, spec := range pod.Spec.Containers {
		w.containers = append(w.containers, newContainer(spec, false))
	}
	return w
}

// update stores a newer version of the pod and notices a deletion request.
func (w *podWorker) update(pod *corev1.Pod) {
	w.mu.Lock()
	w.pod = pod
	w.mu.Unlock()
	if pod.DeletionTimestamp != nil {
		w.deleteOnce.Do(func() { close(w.deleting) })
	}
}

func (w *podWorker) objectGone() { w.goneOnce.Do(func() { close(w.gone) }) }

func (w *podWorker) isGone() bool {
	select {
	case <-w.gone:
		return true
	default:
		return false
	}
}

func (w *podWorker) currentPod() *corev1.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod
}

// interrupted reports whether the pod is being deleted, is gone, or the
// kubelet is stopping.
func (w *podWorker) interrupted() bool {
	select {
	case <-w.deleting:
		return true
	case <-w.gone:
		return true
	case <-w.stopping:
		return true
	default:
		return false
	}
}

// sleep waits for d and returns false if the worker was interrupted or
// finished first.
func (w *podWorker) sleep(d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-w.deleting:
	case <-w.gone:
	case <-w.stopping:
	case <-w.done:
	}
	return false
}

func (w *podWorker) run(ctx context.Context) {
	defer close(w.done)
	defer w.node.kubelet.removePod(w.uid)

	pod := w.currentPod()
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		// Finished before this kubelet started: only deletion is left.
		w.waitAndDelete(ctx)
		return
	}
	if startedBefore(pod) {
		w.failLostContainers(ctx, pod)
		w.waitAndDelete(ctx)
		return
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		log.Printf("pod %s/%s: creating pod folder: %v", w.namespace, w.name, err)
	}

	w.mu.Lock()
	now := metav1.Now()
	w.startTime = &now
	if pod.Status.StartTime != nil {
		w.startTime = pod.Status.StartTime
	}
	w.mu.Unlock()
	w.syncStatus(ctx)

	go w.killOnInterrupt()
	if w.prepare(ctx) && w.runInitContainers(ctx) {
		w.runMainContainers(ctx)
	}
	w.stopSandbox()

	w.mu.Lock()
	w.finished = true
	w.mu.Unlock()
	w.syncStatus(ctx)
	w.waitAndDelete(ctx)
}

// killOnInterrupt stops the containers when the pod is deleted (with its
// grace period) or the kubelet stops (at once).
func (w *podWorker) killOnInterrupt() {
	select {
	case <-w.deleting:
		w.killContainers(w.gracePeriod())
	case <-w.gone:
		w.killContainers(0)
	case <-w.stopping:
		w.killContainers(0)
	case <-w.done:
	}
}

func (w *podWorker) gracePeriod() time.Duration {
	pod := w.currentPod()
	switch {
	case pod.DeletionGracePeriodSeconds != nil:
		return time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		return time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	default:
		return defaultGracePeriod
	}
}

// waitAndDelete waits for a deletion request, then removes the pod object
// as a kubelet does once its containers are gone: with grace period 0.
func (w *podWorker) waitAndDelete(ctx context.Context) {
	select {
	case <-w.deleting:
	case <-w.gone:
		w.removeFolder()
		return
	case <-w.stopping:
		return
	}

	zero := int64(0)
	options := metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &w.uid}}
	err := w.node.client.CoreV1().Pods(w.namespace).Delete(ctx, w.name, options)
	// The API server removes a finished pod at once, so NotFound is normal.
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		log.Printf("pod %s/%s: deleting pod object: %v", w.namespace, w.name, err)
	}
	w.removeFolder()
}

// shutdown stops the pod's processes when the kubelet stops.
func (w *podWorker) shutdown() {
	w.stopOnce.Do(func() { close(w.stopping) })
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		log.Printf("pod %s/%s: still stopping after 10s", w.namespace, w.name)
	}
}

func (w *podWorker) removeFolder() {
	if err := removeTree(w.dir); err != nil {
		log.Printf("pod %s/%s: removing pod folder: %v", w.namespace, w.name, err)
	}
}

// startedBefore reports whether an earlier kubelet process started the pod's
// containers; their processes ended with that kubelet.
func startedBefore(pod *corev1.Pod) bool {
	for _, s := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		if s.State.Running != nil || s.State.Terminated != nil {
			return true
		}
	}
	return false
}

// failLostContainers reports the containers of a pod that an earlier kubelet
// process ran as lost, and fails the pod, as kubelet does for containers it
// cannot find. NOTE: a real kubelet would restart them under restartPolicy
// Always or OnFailure; here the pod's controller replaces the pod instead.
func (w *podWorker) failLostContainers(ctx context.Context, pod *corev1.Pod) {
	now := metav1.Now()
	w.mu.Lock()
	for _, c := range w.allContainers() {
		c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 137, Reason: "ContainerStatusUnknown", FinishedAt: now,
			Message: "The container could not be located when the pod was terminated",
		}}
		c.final = true
	}
	w.startTime = pod.Status.StartTime
	w.failed = true
	w.finished = true
	w.mu.Unlock()
	w.syncStatus(ctx)
}
