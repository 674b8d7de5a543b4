package sandbox

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExitEnterFailed is the exit status of "shim enter" when it cannot start the
// command, as a shell's 127 for a command not found.
const ExitEnterFailed = 127

type enterOptions struct {
	sandboxPID int
	root       string
	workDir    string
	uid, gid   int
	groups     string
	argv       []string
}

// runEnter joins the sandbox's mount namespace, changes root to the
// container's root folder, drops to the container's user and replaces itself
// with the command. Its environment is the container's.
func runEnter(args []string) error {
	opts, err := parseEnter(args)
	if err != nil {
		return err
	}

	// setns into a mount namespace needs a thread that shares no file system
	// attributes with the others; the command then inherits this thread's
	// namespace and root when exec replaces the process.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unsharing file system attributes: %w", err)
	}
	if err := joinMountNamespace(opts.sandboxPID); err != nil {
		return err
	}
	if err := unix.Chroot(opts.root); err != nil {
		return fmt.Errorf("changing root to %s: %w", opts.root, err)
	}
	if err := unix.Chdir(opts.workDir); err != nil {
		return fmt.Errorf("changing to working directory %q: %w", opts.workDir, err)
	}

	path, err := exec.LookPath(opts.argv[0])
	if err != nil {
		return fmt.Errorf("starting container command: %w", err)
	}
	if err := dropPrivileges(opts); err != nil {
		return err
	}
	if err := syscall.Exec(path, opts.argv, os.Environ()); err != nil {
		return fmt.Errorf("executing %q: %w", path, err)
	}
	return nil
}

func parseEnter(args []string) (*enterOptions, error) {
	opts := &enterOptions{}
	flags := flag.NewFlagSet("shim enter", flag.ContinueOnError)
	flags.IntVar(&opts.sandboxPID, "sandbox-pid", 0, "process id of the pod's sandbox")
	flags.StringVar(&opts.root, "root", "", "container root folder, as seen in the sandbox")
	flags.StringVar(&opts.workDir, "workdir", "/", "working directory inside the root")
	flags.IntVar(&opts.uid, "uid", 0, "user id to run as")
	flags.IntVar(&opts.gid, "gid", 0, "group id to run as")
	flags.StringVar(&opts.groups, "groups", "", "comma-separated supplementary group ids")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	opts.argv = flags.Args()
	if opts.sandboxPID == 0 || opts.root == "" || len(opts.argv) == 0 {
		return nil, fmt.Errorf("usage: shim enter --sandbox-pid PID --root DIR [--workdir DIR] [--uid N] [--gid N] [--groups N,...] -- COMMAND [ARG...]")
	}
	return opts, nil
}

func joinMountNamespace(pid int) error {
	path := fmt.Sprintf("/proc/%d/ns/mnt", pid)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening mount namespace of sandbox: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("joining mount namespace %s: %w", path, err)
	}
	return nil
}

func dropPrivileges(opts *enterOptions) error {
	var groups []int
	for _, g := range strings.Split(opts.groups, ",") {
		if g == "" {
			continue
		}
		id, err := strconv.Atoi(g)
		if err != nil {
			return fmt.Errorf("invalid group id %q", g)
		}
		groups = append(groups, id)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setting supplementary groups: %w", err)
	}
	if err := syscall.Setgid(opts.gid); err != nil {
		return fmt.Errorf("setting group id %d: %w", opts.gid, err)
	}
	if err := syscall.Setuid(opts.uid); err != nil {
		return fmt.Errorf("setting user id %d: %w", opts.uid, err)
	}
	return nil
}
