package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

const sample = `
version: 1
unknownKey: ignored
gpus:
  - name: T4
    nodeLabels:
      - nvidia.com/gpu.product: [Tesla-T4, T4]
      - cloud.google.com/gke-accelerator: [nvidia-tesla-t4]
    resources:
      nvidia.com/gpu: 1
    computeCapability: "7.5"
    memory: 16Gi
    tolerations:
      - key: nvidia.com/gpu
        operator: Exists
        effect: NoSchedule
  - name: x86-cpu
    nodeLabels:
      - kubernetes.io/arch: [amd64]
    resources:
      cpu: 2
`

func writeCatalog(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gpu-catalog.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadMakesGPUAndCPUNodes(t *testing.T) {
	nodes, err := Load(writeCatalog(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 {
		t.Fatalf("got %d nodes, want 2 (one GPU node, cpu-0)", len(nodes))
	}
	if nodes[0].Name != "gpu-t4-0" || nodes[1].Name != "cpu-0" {
		t.Fatalf("node names = %q, %q", nodes[0].Name, nodes[1].Name)
	}
}

func TestLoadLabelsLikeFeatureDiscovery(t *testing.T) {
	nodes, err := Load(writeCatalog(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"nvidia.com/gpu.product":       "Tesla-T4",
		"nvidia.com/gpu.compute.major": "7",
		"nvidia.com/gpu.compute.minor": "5",
		"nvidia.com/gpu.memory":        "16384",
		"nvidia.com/gpu.count":         "1",
		"kubernetes.io/hostname":       "gpu-t4-0",
	}
	for key, value := range want {
		if got := nodes[0].Labels[key]; got != value {
			t.Errorf("label %s = %q, want %q", key, got, value)
		}
	}
	if _, ok := nodes[0].Labels["cloud.google.com/gke-accelerator"]; ok {
		t.Error("labels from the second nodeLabels alternative were applied")
	}
}

func TestLoadTaintsMatchTolerations(t *testing.T) {
	nodes, err := Load(writeCatalog(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	taints := nodes[0].Taints
	if len(taints) != 1 {
		t.Fatalf("got %d taints, want 1", len(taints))
	}
	if taints[0].Key != "nvidia.com/gpu" || taints[0].Effect != "NoSchedule" {
		t.Errorf("taint = %+v", taints[0])
	}
	if len(nodes[1].Taints) != 0 {
		t.Errorf("cpu-0 has taints %+v", nodes[1].Taints)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if err == nil {
		t.Fatal("Load succeeded on a missing file")
	}
}

func TestLoadRepositoryCatalog(t *testing.T) {
	nodes, err := Load("../../../../gpu-catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) < 2 {
		t.Fatalf("got %d nodes from the repository catalog", len(nodes))
	}
}
