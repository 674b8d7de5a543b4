package kubelet

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// removeTree removes path like os.RemoveAll, but refuses if anything is
// mounted under it in the kubelet's mount namespace. Pod mounts exist only in
// each pod's own namespace; this guards against deleting host files through
// a bind mount that leaked into the kubelet's.
func removeTree(path string) error {
	mounts, err := mountPointsUnder(path)
	if err != nil {
		return err
	}
	if len(mounts) > 0 {
		return fmt.Errorf("not removing %s: %s is a mount point", path, mounts[0])
	}
	return os.RemoveAll(path)
}

func mountPointsUnder(path string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading mount table: %w", err)
	}
	prefix := filepath.Clean(path) + "/"
	var found []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		// Field 5 is the mount point, with spaces escaped as \040.
		mountPoint := strings.ReplaceAll(fields[4], `\040`, " ")
		if strings.HasPrefix(mountPoint+"/", prefix) {
			found = append(found, mountPoint)
		}
	}
	return found, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func statOf(info os.FileInfo) (*syscall.Stat_t, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	return st, ok
}
