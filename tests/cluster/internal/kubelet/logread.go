package kubelet

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-client/pkg/logs"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/core/install" // registers PodLogOptions query decoding
)

// serveLogs serves GET /containerLogs/NAMESPACE/POD/CONTAINER with the
// options of pods/log, reading the CRI log files with the kubelet's own
// reader, so follow, timestamps, sinceTime, sinceSeconds, tailLines,
// limitBytes and previous behave as on a real node.
func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	namespace, podName, containerName := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	options := &corev1.PodLogOptions{}
	if err := legacyscheme.ParameterCodec.DecodeParameters(r.URL.Query(), corev1.SchemeGroupVersion, options); err != nil {
		replyErrorf(w, r, http.StatusBadRequest, "decoding log options: %v", err)
		return
	}

	worker, err := k.podByName(namespace, podName)
	if err != nil {
		replyError(w, r, http.StatusNotFound, err.Error())
		return
	}
	path, id, err := worker.logFile(containerName, options.Previous)
	if err != nil {
		replyError(w, r, http.StatusBadRequest, err.Error())
		return
	}

	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Transfer-Encoding", "chunked")
	out := &flushWriter{w: w}
	if err := logs.ReadLogs(r.Context(), path, id, criLogOptions(options), runtimeStatus{kubelet: k}, out, out); err != nil && r.Context().Err() == nil {
		fmt.Fprintf(out, "localcluster: reading log: %v\n", err)
	}
}

func criLogOptions(o *corev1.PodLogOptions) *logs.LogOptions {
	opts := &logs.LogOptions{TailLines: o.TailLines, LimitBytes: o.LimitBytes, Follow: o.Follow, Timestamp: o.Timestamps}
	now := time.Now()
	if o.SinceSeconds != nil {
		opts.Since = now.Add(-time.Duration(*o.SinceSeconds) * time.Second)
	}
	if o.SinceTime != nil && o.SinceTime.After(opts.Since) {
		opts.Since = o.SinceTime.Time
	}
	return opts
}

// logFile returns the log of the container's newest instance, or with
// previous of the one before it, and that instance's runtime id. The error
// texts are the kubelet's.
func (w *podWorker) logFile(name string, previous bool) (path, id string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.allContainers() {
		if c.spec.Name != name {
			continue
		}
		if c.id == "" {
			reason := "ContainerCreating"
			if c.state.Waiting != nil {
				reason = c.state.Waiting.Reason
			}
			return "", "", fmt.Errorf("container %q in pod %q is waiting to start: %s", name, w.name, reason)
		}
		instance := c.instance
		if previous {
			instance--
			if instance < 0 {
				return "", "", fmt.Errorf("previous terminated container %q in pod %q not found", name, w.name)
			}
		}
		path = filepath.Join(w.dir, "logs", name, strconv.Itoa(int(instance))+".log")
		return path, instanceID(w.uid, name, instance), nil
	}
	return "", "", fmt.Errorf("container %q in pod %q is not valid", name, w.name)
}

// runtimeStatus gives the CRI log reader the one runtime call it makes:
// whether a container is still running, which decides when follow ends.
type runtimeStatus struct {
	internalapi.RuntimeService
	kubelet *Kubelet
}

func (r runtimeStatus) ContainerStatus(_ context.Context, id string, _ bool) (*runtimeapi.ContainerStatusResponse, error) {
	state := runtimeapi.ContainerState_CONTAINER_EXITED
	if r.kubelet.containerRunning(id) {
		state = runtimeapi.ContainerState_CONTAINER_RUNNING
	}
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{Id: id, State: state}}, nil
}

// flushWriter flushes after every write, so followed logs arrive at once.
type flushWriter struct {
	w http.ResponseWriter
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if flusher, ok := f.w.(http.Flusher); ok {
		flusher.Flush()
	}
	return n, err
}
