package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

const maxSymlinks = 40

// resolveInRoot returns the host path that path names inside root, following
// symbolic links as a process chrooted to root would: an absolute link
// target starts again at root, and ".." never leaves it. Components that do
// not exist are kept as they are.
func resolveInRoot(root, path string) (string, error) {
	resolved := "/"
	pending := splitPath(path)
	links := 0

	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		if name == ".." {
			resolved = filepath.Dir(resolved)
			continue
		}

		next := filepath.Join(resolved, name)
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			// Not a link, or not there yet: keep the name.
			resolved = next
			continue
		}
		links++
		if links > maxSymlinks {
			return "", errors.New("too many levels of symbolic links")
		}
		if filepath.IsAbs(target) {
			resolved = "/"
		}
		pending = append(splitPath(target), pending...)
	}
	return filepath.Join(root, resolved), nil
}

func splitPath(path string) []string {
	var parts []string
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			parts = append(parts, p)
		}
	}
	return parts
}
