package sandbox

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ReadyLine is what "shim sandbox" prints on stdout once every mount is in
// place. The kubelet starts containers only after reading it.
const ReadyLine = "sandbox ready"

// runSandbox sets up the mounts of every container, then waits until stdin
// closes or a signal arrives. The kubelet starts this process in a new mount
// namespace (CLONE_NEWNS), in which Go has already made every mount private.
func runSandbox(specPath string) error {
	spec, err := readSpec(specPath)
	if err != nil {
		return err
	}

	// Bind the roots folder onto itself, so that each rbind of a host folder
	// copies it as a separate mount, which bindHostEntries then detaches.
	// Otherwise every container root would contain the roots before it.
	if err := unix.Mount(spec.RootsDir, spec.RootsDir, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("binding %s onto itself: %w", spec.RootsDir, err)
	}
	for _, c := range spec.Containers {
		if err := setUpRoot(spec.RootsDir, c); err != nil {
			return fmt.Errorf("container %q: %w", c.Name, err)
		}
	}

	fmt.Println(ReadyLine)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-signals:
	case <-stdinClosed:
	}
	return nil
}

func setUpRoot(rootsDir string, c Container) error {
	if err := os.MkdirAll(c.Root, 0o755); err != nil {
		return fmt.Errorf("creating root folder: %w", err)
	}
	if err := bindHostEntries(rootsDir, c.Root); err != nil {
		return err
	}

	mounts := append([]Mount{}, c.Mounts...)
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(filepath.Clean(mounts[i].Target), "/") < strings.Count(filepath.Clean(mounts[j].Target), "/")
	})
	for _, m := range mounts {
		if err := bindVolume(c.Root, m); err != nil {
			return err
		}
	}
	return nil
}

// bindHostEntries makes root look like the host's /: each top-level folder
// is a recursive bind mount, each symbolic link a copy, and /tmp and /run are
// empty tmpfs mounts.
func bindHostEntries(rootsDir, root string) error {
	entries, err := os.ReadDir("/")
	if err != nil {
		return fmt.Errorf("listing /: %w", err)
	}
	for _, e := range entries {
		host, inside := "/"+e.Name(), filepath.Join(root, e.Name())
		switch {
		case e.Type()&os.ModeSymlink != 0:
			if err := copySymlink(host, inside); err != nil {
				return err
			}
		case !e.IsDir():
			continue
		case e.Name() == "tmp" || e.Name() == "run":
			if err := mountTmpfs(inside, e.Name()); err != nil {
				return err
			}
		default:
			if err := rbind(host, inside); err != nil {
				return err
			}
			if err := detachCopy(root, host, rootsDir); err != nil {
				return err
			}
		}
	}
	return nil
}

// detachCopy removes the copy of rootsDir that an rbind of host brought into
// root, if rootsDir lies under host.
func detachCopy(root, host, rootsDir string) error {
	if !strings.HasPrefix(rootsDir+"/", host+"/") {
		return nil
	}
	copied := filepath.Join(root, rootsDir)
	if err := unix.Unmount(copied, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching %s: %w", copied, err)
	}
	return nil
}

func copySymlink(host, inside string) error {
	target, err := os.Readlink(host)
	if err != nil {
		return fmt.Errorf("reading link %s: %w", host, err)
	}
	if err := os.Symlink(target, inside); err != nil && !os.IsExist(err) {
		return fmt.Errorf("copying link %s: %w", host, err)
	}
	return nil
}

func mountTmpfs(inside, name string) error {
	if err := os.MkdirAll(inside, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", inside, err)
	}
	mode := "mode=0755"
	if name == "tmp" {
		mode = "mode=1777"
	}
	if err := unix.Mount("tmpfs", inside, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, mode); err != nil {
		return fmt.Errorf("mounting tmpfs at %s: %w", inside, err)
	}
	return nil
}

func rbind(source, target string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	if err := unix.Mount(source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s at %s: %w", source, target, err)
	}
	return nil
}

// bindVolume mounts m.Source at m.Target inside root, creating the target as
// a folder or an empty file to match the source.
//
// NOTE: a missing target inside a bind-mounted host folder, such as
// /opt/models, is created in the host's folder, because the bind shares the
// host's files. It stays there, empty, after the pod ends. Targets at the top
// level or under /tmp or /run never touch the host.
func bindVolume(root string, m Mount) error {
	target, err := resolveInRoot(root, m.Target)
	if err != nil {
		return fmt.Errorf("resolving mount path %q: %w", m.Target, err)
	}
	info, err := os.Stat(m.Source)
	if err != nil {
		return fmt.Errorf("volume source for %q: %w", m.Target, err)
	}
	if err := createMountPoint(target, info.IsDir()); err != nil {
		return err
	}
	if err := unix.Mount(m.Source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s at %q: %w", m.Source, m.Target, err)
	}
	if !m.ReadOnly {
		return nil
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_REC)
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("making %q read-only: %w", m.Target, err)
	}
	return nil
}

func createMountPoint(path string, dir bool) error {
	if dir {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("creating mount point %s: %w", path, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating mount point %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("creating mount point %s: %w", path, err)
	}
	return f.Close()
}
