package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// container is the kubelet's record of one container of a pod, across its
// restarts. The pod worker's mutex guards every field.
type container struct {
	spec   corev1.Container
	isInit bool
	// folder is the image's local folder; "" runs host commands only.
	folder       string
	restartCount int32
	state        corev1.ContainerState
	lastState    corev1.ContainerState
	// id is the runtime id of the newest instance, instance its number.
	id       string
	instance int32
	// final is set once the container will not run again.
	final bool
	env   []string
	proc  *containerProcess
}

// containerProcess is one running instance of a container.
type containerProcess struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr *fanout
	exited         chan struct{}
	exitCode       int
}

func newContainer(spec corev1.Container, isInit bool) *container {
	reason := "ContainerCreating"
	if isInit {
		reason = "PodInitializing"
	}
	return &container{spec: spec, isInit: isInit, state: waiting(reason, "")}
}

func waiting(reason, message string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
}

// runContainer starts one instance of c, waits until it exits and returns
// its exit code.
func (w *podWorker) runContainer(ctx context.Context, c *container) int {
	proc, err := w.startContainer(ctx, c)
	if err != nil {
		now := metav1.Now()
		w.recordExit(c, 128, "StartError", err.Error(), now)
		w.event(corev1.EventTypeWarning, "Failed", "Error: %v", err)
		w.syncStatus(ctx)
		return 128
	}
	w.event(corev1.EventTypeNormal, "Started", "Started container %s", c.spec.Name)
	w.syncStatus(ctx)

	<-proc.exited
	reason := "Completed"
	if proc.exitCode != 0 {
		reason = "Error"
	}
	w.recordExit(c, proc.exitCode, reason, "", metav1.Now())
	w.syncStatus(ctx)
	return proc.exitCode
}

func (w *podWorker) startContainer(ctx context.Context, c *container) (*containerProcess, error) {
	env, err := w.containerEnv(ctx, c)
	if err != nil {
		return nil, err
	}
	argv := expandCommand(c.spec, env)
	if len(argv) == 0 {
		return nil, fmt.Errorf("container %q has no command, and local images have no entrypoint", c.spec.Name)
	}

	w.mu.Lock()
	restart := c.restartCount
	sandboxPID := w.sandbox.pid()
	w.mu.Unlock()

	logPath := filepath.Join(w.dir, "logs", c.spec.Name, strconv.Itoa(int(restart))+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, fmt.Errorf("creating log folder: %w", err)
	}
	criLog, err := createCRILog(logPath)
	if err != nil {
		return nil, err
	}

	cmd := exec.Command(w.node.kubelet.executable(), w.enterArgs(sandboxPID, c, argv)...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	proc, err := startProcess(cmd, c.spec.Stdin, criLog)
	if err != nil {
		criLog.close()
		return nil, err
	}

	w.mu.Lock()
	c.env = env
	c.proc = proc
	c.id = instanceID(w.uid, c.spec.Name, restart)
	c.instance = restart
	c.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}
	w.mu.Unlock()

	// killOnInterrupt lists the processes once; one that started after that
	// is killed here.
	if w.interrupted() {
		signalGroup(proc, syscall.SIGKILL)
	}
	return proc, nil
}

// enterArgs returns the arguments of "localcluster shim enter" that run argv
// as the container's user inside its root folder.
func (w *podWorker) enterArgs(sandboxPID int, c *container, argv []string) []string {
	uid, gid, groups := w.identity(c)
	workDir := c.spec.WorkingDir
	if workDir == "" {
		workDir = "/"
	}
	args := []string{"shim", "enter",
		"--sandbox-pid", strconv.Itoa(sandboxPID),
		"--root", w.containerRoot(c.spec.Name),
		"--workdir", workDir,
		"--uid", strconv.FormatInt(uid, 10),
		"--gid", strconv.FormatInt(gid, 10),
		"--groups", joinIDs(groups),
		"--",
	}
	return append(args, argv...)
}

// startProcess starts cmd with its output going to the CRI log and to any
// attached clients. Pipes are created by hand, not with cmd.StdoutPipe, so
// that the exit is noticed even while a grandchild still holds the pipe.
func startProcess(cmd *exec.Cmd, withStdin bool, criLog *criLog) (*containerProcess, error) {
	proc := &containerProcess{cmd: cmd, stdout: newFanout(), stderr: newFanout(), exited: make(chan struct{})}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	if withStdin {
		if proc.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		stdoutR.Close()
		stderrR.Close()
		stdoutW.Close()
		stderrW.Close()
		return nil, fmt.Errorf("starting container process: %w", err)
	}
	stdoutW.Close()
	stderrW.Close()

	copied := make(chan struct{}, 2)
	go func() {
		copyStream(stdoutR, &streamWriter{log: criLog, stream: "stdout"}, proc.stdout)
		copied <- struct{}{}
	}()
	go func() {
		copyStream(stderrR, &streamWriter{log: criLog, stream: "stderr"}, proc.stderr)
		copied <- struct{}{}
	}()
	go proc.wait(criLog, copied, stdoutR, stderrR)
	return proc, nil
}

// wait records the exit code, gives the output copies up to 2s to drain,
// then closes the log. After 2s it closes the pipes and stops waiting, since
// a copy may be stuck: a grandchild may still hold the pipe open.
func (p *containerProcess) wait(criLog *criLog, copied chan struct{}, pipes ...*os.File) {
	err := p.cmd.Wait()
	p.exitCode = exitCode(p.cmd.ProcessState, err)
	timer := time.NewTimer(2 * time.Second)
	defer timer.Stop()
drain:
	for range 2 {
		select {
		case <-copied:
		case <-timer.C:
			for _, pipe := range pipes {
				pipe.Close()
			}
			break drain
		}
	}
	criLog.close()
	close(p.exited)
}

// exitCode returns the container's exit code, 128+N for a process killed by
// signal N, as container runtimes report it.
func exitCode(state *os.ProcessState, err error) int {
	if state == nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			state = exitErr.ProcessState
		} else {
			return 128
		}
	}
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return 128 + int(status.Signal())
	}
	return state.ExitCode()
}

// recordExit moves c to the terminated state.
func (w *podWorker) recordExit(c *container, code int, reason, message string, finished metav1.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	started := finished
	if c.state.Running != nil {
		started = c.state.Running.StartedAt
	}
	c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: int32(code), Reason: reason, Message: message,
		StartedAt: started, FinishedAt: finished, ContainerID: c.id,
	}}
	c.proc = nil
}

// killContainers sends SIGTERM to every running container's process group,
// then SIGKILL to those still running after grace, or at once when the pod
// object disappears or the kubelet stops during the grace period.
func (w *podWorker) killContainers(grace time.Duration) {
	procs := w.runningProcesses()
	for _, p := range procs {
		signalGroup(p, syscall.SIGTERM)
	}

	timer := time.NewTimer(grace)
	defer timer.Stop()
graceful:
	for _, p := range procs {
		select {
		case <-p.exited:
		case <-timer.C:
			break graceful
		case <-w.gone:
			break graceful
		case <-w.stopping:
			break graceful
		}
	}

	// A process whose exited channel is closed was reaped, and its group id
	// may belong to another process by now, so only the others get SIGKILL.
	for _, p := range procs {
		select {
		case <-p.exited:
		default:
			signalGroup(p, syscall.SIGKILL)
		}
	}
	for _, p := range procs {
		<-p.exited
	}
}

func (w *podWorker) runningProcesses() []*containerProcess {
	w.mu.Lock()
	defer w.mu.Unlock()
	var procs []*containerProcess
	for _, c := range append(append([]*container{}, w.initContainers...), w.containers...) {
		if c.proc != nil {
			procs = append(procs, c.proc)
		}
	}
	return procs
}

func signalGroup(p *containerProcess, sig syscall.Signal) {
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
}

// instanceRunning reports whether a container instance with runtime id is
// running in this pod.
func (w *podWorker) instanceRunning(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range append(append([]*container{}, w.initContainers...), w.containers...) {
		if c.id == id && c.proc != nil {
			return true
		}
	}
	return false
}

func instanceID(uid types.UID, name string, instance int32) string {
	return fmt.Sprintf("localcluster://%s-%s-%d", uid, name, instance)
}

func (w *podWorker) containerRoot(name string) string {
	return filepath.Join(w.dir, "roots", name)
}
