package kubelet

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

const (
	initialBackoff = 10 * time.Second
	maxBackoff     = 5 * time.Minute
	// errImagePullShown is how long a failed pull shows as ErrImagePull
	// before the back-off (ImagePullBackOff) starts.
	errImagePullShown = 2 * time.Second
)

// prepare pulls images, sets up volumes and starts the sandbox, retrying
// each step until it works or the pod is interrupted.
func (w *podWorker) prepare(ctx context.Context) bool {
	if !w.pullImages(ctx) {
		return false
	}
	volumes, ok := w.retryVolumes(ctx)
	if !ok {
		return false
	}
	if err := w.startSandbox(volumes); err != nil {
		w.event(corev1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
		w.mu.Lock()
		w.failed = true
		w.mu.Unlock()
		return false
	}
	w.syncStatus(ctx)
	return true
}

// pullImages maps every container's image to its folder. An unknown image
// shows as ErrImagePull, then ImagePullBackOff with a doubling back-off,
// and is tried again, as a kubelet does.
func (w *podWorker) pullImages(ctx context.Context) bool {
	backoff := initialBackoff
	for {
		failed := w.resolveImages()
		if len(failed) == 0 {
			return true
		}
		for c, err := range failed {
			w.event(corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %v", c.spec.Image, err)
			w.setWaiting(c, "ErrImagePull", err.Error())
		}
		w.syncStatus(ctx)
		if !w.sleep(errImagePullShown) {
			return false
		}

		for c := range failed {
			w.event(corev1.EventTypeNormal, "BackOff", "Back-off pulling image %q", c.spec.Image)
			w.setWaiting(c, "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q", c.spec.Image))
		}
		w.syncStatus(ctx)
		if !w.sleep(backoff) {
			return false
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (w *podWorker) resolveImages() map[*container]error {
	failed := map[*container]error{}
	for _, c := range w.allContainers() {
		folder, err := w.node.kubelet.images.resolve(c.spec.Image)
		if err != nil {
			failed[c] = err
			continue
		}
		w.mu.Lock()
		c.folder = folder
		w.mu.Unlock()
		w.event(corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine", c.spec.Image)
	}
	return failed
}

func (w *podWorker) retryVolumes(ctx context.Context) (map[string]string, bool) {
	lastMessage := ""
	for {
		volumes, err := w.prepareVolumes(ctx)
		if err == nil {
			return volumes, true
		}
		if err.Error() != lastMessage {
			w.event(corev1.EventTypeWarning, "FailedMount", "%v", err)
			lastMessage = err.Error()
		}
		if !w.sleep(2 * time.Second) {
			return nil, false
		}
	}
}

// runInitContainers runs the init containers one after another. A failed
// one is restarted unless the restart policy is Never, which fails the pod.
func (w *podWorker) runInitContainers(ctx context.Context) bool {
	for _, c := range w.initContainers {
		for {
			code := w.runContainer(ctx, c)
			if w.interrupted() {
				return false
			}
			if code == 0 {
				break
			}
			if w.currentPod().Spec.RestartPolicy == corev1.RestartPolicyNever {
				w.mu.Lock()
				w.failed = true
				c.final = true
				w.mu.Unlock()
				return false
			}
			if !w.backOff(ctx, c) {
				return false
			}
		}
		w.mu.Lock()
		c.final = true
		w.mu.Unlock()
	}

	w.mu.Lock()
	w.initialized = true
	w.mu.Unlock()
	w.syncStatus(ctx)
	return true
}

// runMainContainers runs the main containers side by side, restarting each
// one when the pod's restart policy allows, until none will run again.
func (w *podWorker) runMainContainers(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range w.containers {
		wg.Go(func() { w.runWithRestarts(ctx, c) })
	}
	wg.Wait()
}

func (w *podWorker) runWithRestarts(ctx context.Context, c *container) {
	defer func() {
		w.mu.Lock()
		c.final = true
		w.mu.Unlock()
		w.syncStatus(ctx)
	}()
	for {
		code := w.runContainer(ctx, c)
		if w.interrupted() || !shouldRestart(w.currentPod().Spec.RestartPolicy, code) {
			return
		}
		if !w.backOff(ctx, c) {
			return
		}
	}
}

func shouldRestart(policy corev1.RestartPolicy, exitCode int) bool {
	switch policy {
	case corev1.RestartPolicyAlways:
		return true
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	default:
		return false
	}
}

// backOff shows CrashLoopBackOff for the container's next back-off period,
// then counts a restart. It returns false if the pod was interrupted.
func (w *podWorker) backOff(ctx context.Context, c *container) bool {
	w.mu.Lock()
	delay := min(initialBackoff<<min(c.restartCount, 5), maxBackoff)
	c.lastState = c.state
	message := fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", delay, c.spec.Name, w.name, w.namespace, w.uid)
	c.state = waiting("CrashLoopBackOff", message)
	w.mu.Unlock()

	w.event(corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)", c.spec.Name, w.name, w.namespace, w.uid)
	w.syncStatus(ctx)
	if !w.sleep(delay) {
		return false
	}
	w.mu.Lock()
	c.restartCount++
	w.mu.Unlock()
	return true
}

func (w *podWorker) setWaiting(c *container, reason, message string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c.state = waiting(reason, message)
}

func (w *podWorker) allContainers() []*container {
	return append(append([]*container{}, w.initContainers...), w.containers...)
}

func (w *podWorker) event(eventType, reason, format string, args ...any) {
	w.node.recorder.Eventf(w.currentPod(), eventType, reason, format, args...)
}
