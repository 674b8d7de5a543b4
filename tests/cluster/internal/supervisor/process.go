package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"mconv.test/cluster/internal/components"
)

// process is one running component. Its stdout and stderr go to its log file.
type process struct {
	component components.Component
	logPath   string
	cmd       *exec.Cmd
	started   time.Time
	// done is closed when the process has exited; err then holds how.
	done chan struct{}
	err  error
	// stopped is set when the supervisor stops the process on purpose, so
	// its exit is not taken for a crash.
	stopped atomic.Bool
}

func startProcess(executable string, c components.Component, logPath string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening log of %s: %w", c.Name, err)
	}
	fmt.Fprintf(logFile, "---- %s: starting %s\n", time.Now().Format(time.RFC3339), c.Name)

	cmd := exec.Command(executable, append([]string{c.Name}, c.Args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// A component outlives no supervisor: if the supervisor dies, the kernel
	// sends the component SIGTERM.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", c.Name, err)
	}

	p := &process{component: c, logPath: logPath, cmd: cmd, started: time.Now(), done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL if the process is still running after grace.
func (p *process) stop(grace time.Duration) {
	p.stopped.Store(true)
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// describeExit returns a sentence that names the component, how it ended and
// where its log is.
func (p *process) describeExit() string {
	exit := "exited with status 0"
	if p.err != nil {
		exit = p.err.Error()
	}
	return fmt.Sprintf("%s %s; see %s", p.component.Name, exit, p.logPath)
}
