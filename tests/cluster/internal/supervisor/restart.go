package supervisor

import (
	"fmt"
	"log"
	"time"
)

const (
	maxRestartDelay = 30 * time.Second
	// stableRun is how long a component must run before its next crash
	// restarts the back-off from 1 s.
	stableRun = time.Minute
)

// restartCrashed starts a crashed component again after a back-off that
// doubles with each quick crash in a row, from 1 s up to 30 s.
func (s *supervisor) restartCrashed(p *process) {
	name := p.component.Name
	s.mu.Lock()
	if time.Since(p.started) > stableRun {
		s.quickCrashes[name] = 0
	}
	delay := min(time.Second<<min(s.quickCrashes[name], 5), maxRestartDelay)
	s.quickCrashes[name]++
	s.restarts[name]++
	s.mu.Unlock()

	log.Printf("component exited while the cluster was running: %s; restarting it in %s", p.describeExit(), delay)
	time.Sleep(delay)
	if _, err := s.replace(p); err != nil {
		log.Printf("restarting %s failed: %v", name, err)
	}
}

// replace starts a new instance of old's component in old's place, so that
// stopAll keeps stopping components in reverse start order. It starts
// nothing once the cluster is stopping or old was already replaced.
func (s *supervisor) replace(old *process) (*process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	index := -1
	for i, p := range s.procs {
		if p == old {
			index = i
		}
	}
	if s.stopping || index < 0 {
		return nil, fmt.Errorf("%s is no longer managed", old.component.Name)
	}
	p, err := s.startWatched(old.component)
	if err != nil {
		return nil, err
	}
	s.procs[index] = p
	return p, nil
}

// find returns the running instance of the named component, or nil.
func (s *supervisor) find(name string) *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		if p.component.Name == name {
			return p
		}
	}
	return nil
}
