package state

import (
	"encoding/json"
	"fmt"
	"os"
)

// Cluster is the configuration that the supervisor chooses at start and
// writes to run/cluster.json, so that every component reads the same ports.
type Cluster struct {
	StateDir   string `json:"stateDir"`
	RepoRoot   string `json:"repoRoot"`
	Catalog    string `json:"catalog"`
	Images     string `json:"images"`
	Executable string `json:"executable"`

	EtcdPort       int `json:"etcdPort"`
	EtcdPeerPort   int `json:"etcdPeerPort"`
	APIServerPort  int `json:"apiServerPort"`
	ProxyPort      int `json:"proxyPort"`
	ControllerPort int `json:"controllerManagerPort"`
	SchedulerPort  int `json:"schedulerPort"`
	// KubeletPorts maps a node name to the port of its kubelet API.
	KubeletPorts map[string]int `json:"kubeletPorts"`
}

// Layout returns the file layout of the cluster's state folder.
func (c *Cluster) Layout() Layout { return Layout{Root: c.StateDir} }

// APIServerURL is the address that components use: the API server itself.
func (c *Cluster) APIServerURL() string {
	return fmt.Sprintf("https://127.0.0.1:%d", c.APIServerPort)
}

// ProxyURL is the address that users' kubeconfigs and pods use: the fault
// proxy in front of the API server.
func (c *Cluster) ProxyURL() string {
	return fmt.Sprintf("https://127.0.0.1:%d", c.ProxyPort)
}

// Save writes the configuration to run/cluster.json.
func (c *Cluster) Save() error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding cluster configuration: %w", err)
	}
	path := c.Layout().Cluster()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// LoadCluster reads run/cluster.json from a state folder.
func LoadCluster(stateDir string) (*Cluster, error) {
	path := Layout{Root: stateDir}.Cluster()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading cluster configuration: %w", err)
	}
	var c Cluster
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &c, nil
}
