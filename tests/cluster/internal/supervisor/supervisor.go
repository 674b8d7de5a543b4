// Package supervisor starts the components of a local cluster as separate
// processes, waits until the cluster is usable, serves the fault hooks and
// stops everything in reverse order on SIGTERM.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"mconv.test/cluster/internal/components"
	"mconv.test/cluster/internal/state"
)

const (
	stopGrace    = 5 * time.Second
	startTimeout = 5 * time.Minute
)

type supervisor struct {
	cluster *state.Cluster
	layout  state.Layout
	proxy   *proxy

	mu sync.Mutex
	// procs holds the running components in start order.
	procs []*process
	// stopping is set once stopAll begins; crashed components then stay down.
	stopping bool
	// crashed receives every component that exits without being stopped.
	crashed chan *process
	// restarts counts each component's restarts after crashes.
	// quickCrashes counts its crashes in a row that came within a minute of
	// its start. The back-off grows with that count.
	restarts     map[string]int
	quickCrashes map[string]int
}

// Main runs the "supervise" subcommand: it starts the cluster in the given
// state folder and keeps it running until SIGTERM or SIGINT.
func Main(stateDir, repoRoot string) error {
	layout := state.Layout{Root: stateDir}
	if err := os.MkdirAll(layout.Run(), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", layout.Run(), err)
	}
	unlock, err := lock(layout)
	if err != nil {
		return err
	}
	defer unlock()

	s := &supervisor{layout: layout, crashed: make(chan *process, 16), restarts: map[string]int{}, quickCrashes: map[string]int{}}
	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stopSignals()

	writeStatus(layout, "starting")
	if err := s.start(ctx, stateDir, repoRoot); err != nil {
		writeStatus(layout, "failed: "+err.Error())
		s.stopAll()
		return err
	}
	writeStatus(layout, "ready")
	log.Printf("cluster is ready; admin kubeconfig: %s", layout.UserKubeconfig("admin"))

	s.run(ctx)
	writeStatus(layout, "stopping")
	s.stopAll()
	writeStatus(layout, "stopped")
	return nil
}

func (s *supervisor) start(ctx context.Context, stateDir, repoRoot string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	executable, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the localcluster binary: %w", err)
	}
	cluster, err := prepare(stateDir, repoRoot, executable)
	if err != nil {
		return err
	}
	s.cluster = cluster

	if err := s.launch(ctx, components.Etcd(cluster)); err != nil {
		return err
	}
	if err := s.startAPIServer(ctx); err != nil {
		return err
	}
	s.proxy, err = startProxy(fmt.Sprintf("127.0.0.1:%d", cluster.ProxyPort), fmt.Sprintf("127.0.0.1:%d", cluster.APIServerPort))
	if err != nil {
		return err
	}
	if err := s.applyManifests(ctx); err != nil {
		return err
	}
	for _, c := range []components.Component{
		components.ControllerManager(cluster),
		components.Scheduler(cluster),
		components.Provisioner(cluster),
		components.Kubelet(cluster),
	} {
		if err := s.launch(ctx, c); err != nil {
			return err
		}
	}
	return s.waitUntil(ctx, "nodes Ready and the default service account created", s.clusterUsable, s.firstExited)
}

// launch starts a component and adds it to the running ones. An exit while
// the cluster starts fails the start; see run for exits after that.
func (s *supervisor) launch(ctx context.Context, c components.Component) error {
	p, err := s.startWatched(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	return nil
}

// startWatched starts a component and reports its exit on s.crashed unless
// the supervisor stopped it.
func (s *supervisor) startWatched(c components.Component) (*process, error) {
	p, err := startProcess(s.cluster.Executable, c, s.layout.Log(c.Name))
	if err != nil {
		return nil, err
	}
	go func() {
		<-p.done
		if !p.stopped.Load() {
			s.crashed <- p
		}
	}()
	log.Printf("started %s (pid %d), log: %s", c.Name, p.cmd.Process.Pid, p.logPath)
	return p, nil
}

// run waits for a signal. A component that exits on its own is logged and
// started again after a back-off, as systemd or a kubelet would restart it.
func (s *supervisor) run(ctx context.Context) {
	control, err := serveControl(s)
	if err != nil {
		log.Printf("fault hooks are unavailable: %v", err)
	} else {
		defer control.Close()
	}
	for {
		select {
		case <-ctx.Done():
			log.Printf("stopping on signal")
			return
		case p := <-s.crashed:
			go s.restartCrashed(p)
		}
	}
}

// firstExited returns the first component that has exited, or nil.
func (s *supervisor) firstExited() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		if p.exited() {
			return p
		}
	}
	return nil
}

// waitUntil polls ready every half second. It fails as soon as exited
// returns a component, naming that component's log.
func (s *supervisor) waitUntil(ctx context.Context, what string, ready func(context.Context) error, exited func() *process) error {
	var lastErr error
	for {
		if p := exited(); p != nil {
			return errors.New(p.describeExit())
		}
		if lastErr = ready(ctx); lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s: %v", what, lastErr)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *supervisor) stopAll() {
	if s.proxy != nil {
		s.proxy.close()
	}
	s.mu.Lock()
	s.stopping = true
	procs := append([]*process{}, s.procs...)
	s.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(stopGrace)
		log.Printf("stopped %s", procs[i].component.Name)
	}
}

// lock takes an exclusive lock on run/supervisor.lock for the supervisor's
// lifetime, so one state folder never runs two clusters.
func lock(layout state.Layout) (func(), error) {
	f, err := os.OpenFile(layout.LockFile(), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("a cluster is already running in %s", filepath.Dir(layout.Run()))
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := os.WriteFile(layout.PIDFile(), pid, 0o644); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing pid file: %w", err)
	}
	return func() {
		os.Remove(layout.PIDFile())
		f.Close()
	}, nil
}

// writeStatus records the supervisor's state in run/status, which
// localcluster.sh polls while it waits for the cluster.
func writeStatus(layout state.Layout, status string) {
	tmp := layout.Status() + ".tmp"
	if err := os.WriteFile(tmp, []byte(status+"\n"), 0o644); err != nil {
		log.Printf("writing status: %v", err)
		return
	}
	if err := os.Rename(tmp, layout.Status()); err != nil {
		log.Printf("writing status: %v", err)
	}
}
