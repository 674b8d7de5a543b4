package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	remotecommandserver "k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

const (
	streamIdleTimeout     = 4 * time.Hour
	streamCreationTimeout = remotecommandserver.DefaultStreamCreationTimeout
)

// serveExec serves /exec with Kubernetes' own streaming server, which speaks
// SPDY and WebSocket; the API server forwards pods/exec here.
func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	options, err := remotecommandserver.NewOptions(r)
	if err != nil {
		replyError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	podName := r.PathValue("namespace") + "/" + r.PathValue("pod")
	command := r.URL.Query()["command"]
	remotecommandserver.ServeExec(w, r, executor{k}, podName, r.PathValue("uid"), r.PathValue("container"), command,
		options, streamIdleTimeout, streamCreationTimeout, remotecommandserver.SupportedStreamingProtocols)
}

// serveAttach serves /attach: the client receives the container's output
// from now on and, if the container has stdin, writes to it.
func (k *Kubelet) serveAttach(w http.ResponseWriter, r *http.Request) {
	options, err := remotecommandserver.NewOptions(r)
	if err != nil {
		replyError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	podName := r.PathValue("namespace") + "/" + r.PathValue("pod")
	remotecommandserver.ServeAttach(w, r, executor{k}, podName, r.PathValue("uid"), r.PathValue("container"),
		options, streamIdleTimeout, streamCreationTimeout, remotecommandserver.SupportedStreamingProtocols)
}

// executor runs exec and attach requests for the streaming server.
type executor struct {
	kubelet *Kubelet
}

// ExecInContainer runs cmd in the container's root folder and mount
// namespace, as the container's user and with its environment. A non-zero
// exit is returned as a utilexec.ExitError, which the streaming server turns
// into the NonZeroExitCode status.
func (e executor) ExecInContainer(ctx context.Context, podName, _, containerName string, cmd []string, in io.Reader, out, stderr io.WriteCloser, tty bool, resize <-chan remotecommandserver.TerminalSize, _ time.Duration) error {
	worker, c, err := e.kubelet.runningContainer(podName, containerName)
	if err != nil {
		return err
	}
	worker.mu.Lock()
	sandboxPID, env := worker.sandbox.pid(), c.env
	worker.mu.Unlock()
	args := worker.enterArgs(sandboxPID, c, cmd)

	process := exec.CommandContext(ctx, e.kubelet.executable(), args...)
	process.Env = env
	if tty {
		return runWithTTY(process, in, out, resize)
	}
	return runWithPipes(process, in, out, stderr)
}

func runWithPipes(process *exec.Cmd, in io.Reader, out, stderr io.WriteCloser) error {
	if out != nil {
		process.Stdout = out
	}
	if stderr != nil {
		process.Stderr = stderr
	}
	var stdin io.WriteCloser
	if in != nil {
		var err error
		if stdin, err = process.StdinPipe(); err != nil {
			return err
		}
	}
	if err := process.Start(); err != nil {
		return fmt.Errorf("starting exec process: %w", err)
	}
	if stdin != nil {
		// Not part of Wait: a client that never closes stdin must not keep
		// the exec open after the command exits.
		go func() {
			_, _ = io.Copy(stdin, in)
			stdin.Close()
		}()
	}
	return exitError(process.Wait())
}

func runWithTTY(process *exec.Cmd, in io.Reader, out io.WriteCloser, resize <-chan remotecommandserver.TerminalSize) error {
	terminal, err := pty.Start(process)
	if err != nil {
		return fmt.Errorf("starting exec process with a terminal: %w", err)
	}
	defer terminal.Close()
	go func() {
		for size := range resize {
			_ = pty.Setsize(terminal, &pty.Winsize{Rows: size.Height, Cols: size.Width})
		}
	}()
	if in != nil {
		go func() { _, _ = io.Copy(terminal, in) }()
	}
	copied := make(chan struct{})
	go func() {
		if out != nil {
			_, _ = io.Copy(out, terminal)
		}
		close(copied)
	}()
	err = process.Wait()
	select {
	case <-copied:
	case <-time.After(time.Second):
	}
	return exitError(err)
}

// exitError converts an exit status into the error type that the streaming
// server reports with the exit code.
func exitError(err error) error {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return err
	}
	code := exitErr.ExitCode()
	if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		code = 128 + int(status.Signal())
	}
	return utilexec.CodeExitError{Err: err, Code: code}
}

// AttachContainer copies the container's output to the client until the
// container exits or the client leaves, and the client's input to the
// container's stdin if it has one.
func (e executor) AttachContainer(ctx context.Context, podName, _, containerName string, in io.Reader, out, stderr io.WriteCloser, _ bool, _ <-chan remotecommandserver.TerminalSize) error {
	worker, c, err := e.kubelet.runningContainer(podName, containerName)
	if err != nil {
		return err
	}
	worker.mu.Lock()
	proc := c.proc
	worker.mu.Unlock()
	if proc == nil {
		return fmt.Errorf("container %q is not running", containerName)
	}

	if out != nil {
		proc.stdout.add(out)
		defer proc.stdout.remove(out)
	}
	if stderr != nil {
		proc.stderr.add(stderr)
		defer proc.stderr.remove(stderr)
	}
	if in != nil && proc.stdin != nil {
		go func() { _, _ = io.Copy(proc.stdin, in) }()
	}
	select {
	case <-proc.exited:
	case <-ctx.Done():
	}
	return nil
}

// runningContainer finds a running container by "namespace/name" of its pod.
func (k *Kubelet) runningContainer(podName, containerName string) (*podWorker, *container, error) {
	namespace, name, _ := strings.Cut(podName, "/")
	worker, err := k.podByName(namespace, name)
	if err != nil {
		return nil, nil, err
	}
	worker.mu.Lock()
	defer worker.mu.Unlock()
	for _, c := range worker.allContainers() {
		if c.spec.Name == containerName {
			if c.proc == nil {
				return nil, nil, fmt.Errorf("container %q in pod %q is not running", containerName, name)
			}
			return worker, c, nil
		}
	}
	return nil, nil, fmt.Errorf("container %q not found in pod %q", containerName, name)
}
