package kubelet

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"mconv.test/cluster/internal/sandbox"
)

// sandboxProcess holds the pod's mount namespace, as a pause container holds
// a pod's namespaces. Closing its stdin ends it.
type sandboxProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func (s *sandboxProcess) pid() int {
	if s == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// startSandbox writes the pod's sandbox.json and starts "shim sandbox" in a
// new mount namespace, then waits for it to report its mounts ready.
func (w *podWorker) startSandbox(volumes map[string]string) error {
	spec, err := w.sandboxSpec(volumes)
	if err != nil {
		return err
	}
	specPath := filepath.Join(w.dir, "sandbox.json")
	if err := sandbox.WriteSpec(specPath, spec); err != nil {
		return err
	}
	if err := os.MkdirAll(spec.RootsDir, 0o755); err != nil {
		return fmt.Errorf("creating roots folder: %w", err)
	}

	cmd := exec.Command(w.node.kubelet.executable(), "shim", "sandbox", specPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Setpgid: true}
	logFile, err := os.Create(filepath.Join(w.dir, "sandbox.log"))
	if err != nil {
		return fmt.Errorf("creating sandbox log: %w", err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting sandbox: %w", err)
	}
	if err := waitForReady(stdout); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log, _ := os.ReadFile(logFile.Name())
		return fmt.Errorf("sandbox failed: %v: %s", err, strings.TrimSpace(string(log)))
	}

	w.mu.Lock()
	w.sandbox = &sandboxProcess{cmd: cmd, stdin: stdin}
	w.mu.Unlock()
	return nil
}

func waitForReady(stdout io.Reader) error {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	select {
	case line := <-lines:
		if line != sandbox.ReadyLine {
			return fmt.Errorf("it exited before its mounts were ready")
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("its mounts were not ready after 30s")
	}
}

// sandboxSpec lists each container's root folder and volume mounts.
func (w *podWorker) sandboxSpec(volumes map[string]string) (*sandbox.Spec, error) {
	spec := &sandbox.Spec{RootsDir: filepath.Join(w.dir, "roots")}
	for _, c := range w.allContainers() {
		root := sandbox.Container{Name: c.spec.Name, Root: w.containerRoot(c.spec.Name)}
		for _, m := range c.spec.VolumeMounts {
			source, ok := volumes[m.Name]
			if !ok {
				return nil, fmt.Errorf("container %q mounts volume %q, which the pod does not define", c.spec.Name, m.Name)
			}
			if m.SubPath != "" {
				source = filepath.Join(source, m.SubPath)
				if err := os.MkdirAll(source, 0o755); err != nil && !isExist(err) {
					return nil, fmt.Errorf("creating subPath %q of volume %q: %w", m.SubPath, m.Name, err)
				}
			}
			root.Mounts = append(root.Mounts, sandbox.Mount{Source: source, Target: m.MountPath, ReadOnly: m.ReadOnly})
		}
		if c.folder != "" {
			// The image folder is bound at its own path, so the container
			// finds it even where the host folder around it is replaced,
			// as /tmp is when the repository lies under /tmp.
			root.Mounts = append(root.Mounts, sandbox.Mount{Source: c.folder, Target: c.folder})
		}
		spec.Containers = append(spec.Containers, root)
	}
	return spec, nil
}

// stopSandbox ends the sandbox; its mount namespace goes with its last
// process.
func (w *podWorker) stopSandbox() {
	w.mu.Lock()
	s := w.sandbox
	w.sandbox = nil
	w.mu.Unlock()
	if s == nil {
		return
	}
	s.stdin.Close()
	done := make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func isExist(err error) bool { return os.IsExist(err) }
