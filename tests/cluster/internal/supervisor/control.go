package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// serveControl serves the supervisor's fault hooks and status over a Unix
// socket at run/supervisor.sock. Only local users who can open the state
// folder reach it.
func serveControl(s *supervisor) (*http.Server, error) {
	path := s.layout.Control()
	os.Remove(path)
	listener, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /fault/restart-apiserver", s.handleRestartAPIServer)
	mux.HandleFunc("POST /fault/cut-connections", s.handleCutConnections)
	mux.HandleFunc("GET /status", s.handleStatus)

	server := &http.Server{Handler: mux}
	go func() {
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			log.Printf("control socket stopped: %v", err)
		}
	}()
	return server, nil
}

func (s *supervisor) handleRestartAPIServer(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	if err := s.restartAPIServer(ctx); err != nil {
		log.Printf("fault: restarting the API server failed: %v", err)
		http.Error(w, fmt.Sprintf("restarting the API server failed: %v", err), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "API server restarted and ready")
}

func (s *supervisor) handleCutConnections(w http.ResponseWriter, r *http.Request) {
	cut := s.proxy.cutAll()
	log.Printf("fault: reset %d client connections", cut)
	fmt.Fprintf(w, "reset %d client connections\n", cut)
}

// componentStatus is one line of the status command's output.
type componentStatus struct {
	Name     string `json:"name"`
	PID      int    `json:"pid"`
	Running  bool   `json:"running"`
	Restarts int    `json:"restarts"`
	Exit     string `json:"exit,omitempty"`
}

func (s *supervisor) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var list []componentStatus
	for _, p := range s.procs {
		st := componentStatus{Name: p.component.Name, PID: p.cmd.Process.Pid, Running: !p.exited(), Restarts: s.restarts[p.component.Name]}
		if !st.Running {
			st.Exit = p.describeExit()
		}
		list = append(list, st)
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}
