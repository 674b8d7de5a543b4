package kubelet

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"syscall"
)

// serveControl serves the node and pod fault hooks on run/kubelet.sock.
func serveControl(k *Kubelet) (*http.Server, error) {
	path := k.layout.KubeletControl()
	os.Remove(path)
	listener, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /fault/kill-pod/{namespace}/{pod}", k.handleKillPod)
	mux.HandleFunc("POST /fault/node-notready/{node}", func(w http.ResponseWriter, r *http.Request) { k.handleNodeReady(w, r, false) })
	mux.HandleFunc("POST /fault/node-ready/{node}", func(w http.ResponseWriter, r *http.Request) { k.handleNodeReady(w, r, true) })

	server := &http.Server{Handler: mux}
	go func() {
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			log.Printf("kubelet: control socket stopped: %v", err)
		}
	}()
	return server, nil
}

// handleKillPod sends SIGKILL to every running container of the pod, as if
// the processes crashed; the restart policy then applies.
func (k *Kubelet) handleKillPod(w http.ResponseWriter, r *http.Request) {
	namespace, name := r.PathValue("namespace"), r.PathValue("pod")
	worker, err := k.podByName(namespace, name)
	if err != nil {
		replyError(w, r, http.StatusNotFound, err.Error())
		return
	}
	procs := worker.runningProcesses()
	if len(procs) == 0 {
		replyErrorf(w, r, http.StatusConflict, "pod %s/%s has no running container", namespace, name)
		return
	}
	for _, p := range procs {
		signalGroup(p, syscall.SIGKILL)
	}
	log.Printf("fault: killed %d container processes of pod %s/%s", len(procs), namespace, name)
	fmt.Fprintf(w, "killed %d container processes of pod %s/%s\n", len(procs), namespace, name)
}

func (k *Kubelet) handleNodeReady(w http.ResponseWriter, r *http.Request, ready bool) {
	name := r.PathValue("node")
	n, ok := k.nodes[name]
	if !ok {
		replyErrorf(w, r, http.StatusNotFound, "node %q not found; nodes are listed by kubectl get nodes", name)
		return
	}
	n.setReady(ready)
	state := "NotReady"
	if ready {
		state = "Ready"
	}
	log.Printf("fault: node %s reports %s", name, state)
	fmt.Fprintf(w, "node %s now reports %s\n", name, state)
}
