// Package sandbox implements the "shim" subcommand: the process that holds a
// pod's private mount namespace ("shim sandbox"), and the entry into that
// namespace that each container and exec goes through ("shim enter").
//
// Each container gets its own root folder inside the namespace. Its top-level
// entries are bind mounts of the host's, except /tmp and /run, which are fresh
// tmpfs mounts, and the container's volumes are bind-mounted at their mount
// paths. Mount paths that do not exist on the host are created inside the
// root folder, so the host's file system is left alone.
package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
)

// Spec is what the kubelet writes to a pod's sandbox.json.
type Spec struct {
	// RootsDir contains the root folders of the pod's containers.
	RootsDir   string      `json:"rootsDir"`
	Containers []Container `json:"containers"`
}

// Container is the root folder of one container and its volume mounts.
type Container struct {
	Name   string  `json:"name"`
	Root   string  `json:"root"`
	Mounts []Mount `json:"mounts"`
}

// Mount bind-mounts a host path at a path inside the container.
type Mount struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"readOnly"`
}

// WriteSpec writes spec to path.
func WriteSpec(path string, spec *Spec) error {
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding sandbox spec: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func readSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sandbox spec: %w", err)
	}
	var spec Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &spec, nil
}
