// Package catalog turns the repository's gpu-catalog.yaml into the simulated
// nodes of the local cluster: one node per GPU entry, labelled as NVIDIA GPU
// Feature Discovery would label it, plus one CPU-only node.
package catalog

import (
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

const gpuResource = "nvidia.com/gpu"

// file is the part of gpu-catalog.yaml that the cluster reads. Other keys are
// ignored, so the catalog may grow without breaking the cluster.
type file struct {
	GPUs []entry `json:"gpus"`
}

type entry struct {
	Name              string                `json:"name"`
	NodeLabels        []map[string][]string `json:"nodeLabels"`
	Resources         map[string]any        `json:"resources"`
	ComputeCapability string                `json:"computeCapability"`
	Memory            string                `json:"memory"`
	Tolerations       []corev1.Toleration   `json:"tolerations"`
}

// Node is one simulated node.
type Node struct {
	Name     string
	Labels   map[string]string
	Taints   []corev1.Taint
	Capacity corev1.ResourceList
}

// Load reads the catalog at path and returns the nodes to simulate: the GPU
// nodes in catalog order, then the CPU-only node "cpu-0".
func Load(path string) ([]Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading GPU catalog: %w", err)
	}
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parsing GPU catalog %s: %w", path, err)
	}

	var nodes []Node
	for i, e := range f.GPUs {
		if _, isGPU := e.Resources[gpuResource]; !isGPU {
			continue
		}
		node, err := gpuNode(e)
		if err != nil {
			return nil, fmt.Errorf("%s: gpus[%d] (%q): %w", path, i, e.Name, err)
		}
		nodes = append(nodes, node)
	}
	return append(nodes, cpuNode()), nil
}

func gpuNode(e entry) (Node, error) {
	name := "gpu-" + strings.ToLower(e.Name) + "-0"
	labels := baseLabels(name)

	if len(e.NodeLabels) == 0 {
		return Node{}, fmt.Errorf("nodeLabels is empty")
	}
	for key, values := range e.NodeLabels[0] {
		if len(values) == 0 {
			return Node{}, fmt.Errorf("nodeLabels[0].%s lists no value", key)
		}
		labels[key] = values[0]
	}

	major, minor, ok := strings.Cut(e.ComputeCapability, ".")
	if !ok {
		return Node{}, fmt.Errorf("computeCapability %q is not MAJOR.MINOR", e.ComputeCapability)
	}
	labels["nvidia.com/gpu.compute.major"] = major
	labels["nvidia.com/gpu.compute.minor"] = minor

	memory, err := resource.ParseQuantity(e.Memory)
	if err != nil {
		return Node{}, fmt.Errorf("memory %q: %w", e.Memory, err)
	}
	labels["nvidia.com/gpu.memory"] = fmt.Sprint(memory.Value() / (1 << 20))
	labels["nvidia.com/gpu.count"] = "1"

	capacity := baseCapacity()
	capacity[gpuResource] = resource.MustParse("1")
	return Node{Name: name, Labels: labels, Taints: taintsFor(e.Tolerations), Capacity: capacity}, nil
}

// taintsFor returns taints that the given tolerations tolerate, so only pods
// that carry them land on the node. A toleration without a key tolerates
// every taint and needs none.
func taintsFor(tolerations []corev1.Toleration) []corev1.Taint {
	var taints []corev1.Taint
	for _, t := range tolerations {
		if t.Key == "" {
			continue
		}
		value := t.Value
		if t.Operator == corev1.TolerationOpExists {
			value = "present"
		}
		effect := t.Effect
		if effect == "" {
			effect = corev1.TaintEffectNoSchedule
		}
		taints = append(taints, corev1.Taint{Key: t.Key, Value: value, Effect: effect})
	}
	return taints
}

func cpuNode() Node {
	return Node{Name: "cpu-0", Labels: baseLabels("cpu-0"), Capacity: baseCapacity()}
}

func baseLabels(name string) map[string]string {
	return map[string]string{
		"kubernetes.io/arch":     "amd64",
		"kubernetes.io/os":       "linux",
		"kubernetes.io/hostname": name,
	}
}

func baseCapacity() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("8"),
		corev1.ResourceMemory:           resource.MustParse("32Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
}
