package supervisor

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"mconv.test/cluster/internal/components"
)

// adminClient talks to the API server directly with the admin identity.
func (s *supervisor) adminClient() (kubernetes.Interface, error) {
	config, err := clientcmd.BuildConfigFromFlags("", s.layout.ComponentKubeconfig("admin"))
	if err != nil {
		return nil, fmt.Errorf("loading admin kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(config)
}

func (s *supervisor) startAPIServer(ctx context.Context) error {
	if err := s.launch(ctx, components.APIServer(s.cluster)); err != nil {
		return err
	}
	return s.waitUntil(ctx, "the API server's /readyz", s.apiServerReady, s.firstExited)
}

// restartAPIServer stops the API server and starts a new one in its place.
// Other components may exit while it is down; run restarts them.
func (s *supervisor) restartAPIServer(ctx context.Context) error {
	old := s.find("kube-apiserver")
	if old == nil {
		return fmt.Errorf("the API server is not running")
	}
	old.stop(stopGrace)
	log.Printf("fault: API server stopped, starting it again")

	replacement, err := s.replace(old)
	if err != nil {
		return err
	}
	exited := func() *process {
		if replacement.exited() {
			return replacement
		}
		return nil
	}
	return s.waitUntil(ctx, "the API server's /readyz", s.apiServerReady, exited)
}

func (s *supervisor) apiServerReady(ctx context.Context) error {
	client, err := s.adminClient()
	if err != nil {
		return err
	}
	_, err = client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	return err
}

// applyManifests creates the RBAC rules and StorageClass in manifests/ with
// kubectl, as an admin would.
func (s *supervisor) applyManifests(ctx context.Context) error {
	dir := filepath.Join(s.cluster.RepoRoot, "tests", "cluster", "manifests")
	cmd := exec.CommandContext(ctx, s.cluster.Executable, "kubectl",
		"--kubeconfig", s.layout.ComponentKubeconfig("admin"), "apply", "--server-side", "--force-conflicts", "-f", dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("applying %s: %w; see %s", dir, err, s.layout.Log("supervisor"))
	}
	return nil
}

// clusterUsable succeeds when every simulated node is Ready and the service
// account controller has created the "default" service account in "default".
func (s *supervisor) clusterUsable(ctx context.Context) error {
	client, err := s.adminClient()
	if err != nil {
		return err
	}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	ready := 0
	for _, node := range nodes.Items {
		if nodeReady(&node) {
			ready++
		}
	}
	if want := len(s.cluster.KubeletPorts); ready < want {
		return fmt.Errorf("%d of %d nodes are Ready", ready, want)
	}
	if _, err := client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
		return fmt.Errorf("getting service account default/default: %w", err)
	}
	return nil
}

func nodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
