// Package kubelet simulates the kubelets of every node in the local cluster
// within one process. It registers the nodes and keeps them Ready. It runs
// each bound pod's containers as local processes, in a private mount
// namespace per pod, and reports pod status as a kubelet does. It serves the
// kubelet API (logs, exec, attach) that the API server calls.
package kubelet

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"k8s.io/apimachinery/pkg/types"

	"mconv.test/cluster/internal/catalog"
	"mconv.test/cluster/internal/state"
)

// Kubelet holds the nodes and every pod running on any of them.
type Kubelet struct {
	cluster *state.Cluster
	layout  state.Layout
	images  *imageResolver
	nodes   map[string]*node

	mu   sync.Mutex
	pods map[types.UID]*podWorker
}

// Main runs the "kubelet" subcommand until SIGTERM or SIGINT, then kills
// every container it started.
func Main(args []string) error {
	flags := flag.NewFlagSet("kubelet", flag.ContinueOnError)
	stateDir := flags.String("state", "", "state folder of the cluster")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cluster, err := state.LoadCluster(*stateDir)
	if err != nil {
		return err
	}
	specs, err := catalog.Load(cluster.Catalog)
	if err != nil {
		return err
	}

	k := &Kubelet{
		cluster: cluster,
		layout:  cluster.Layout(),
		images:  &imageResolver{configPath: cluster.Images, repoRoot: cluster.RepoRoot},
		nodes:   map[string]*node{},
		pods:    map[types.UID]*podWorker{},
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return k.run(ctx, specs)
}

func (k *Kubelet) run(ctx context.Context, specs []catalog.Node) error {
	for _, spec := range specs {
		n, err := newNode(k, spec)
		if err != nil {
			return err
		}
		k.nodes[spec.Name] = n
	}
	for _, n := range k.nodes {
		if err := n.start(ctx); err != nil {
			return err
		}
	}
	control, err := serveControl(k)
	if err != nil {
		return err
	}
	defer control.Close()

	log.Printf("kubelet: running %d nodes", len(k.nodes))
	<-ctx.Done()
	log.Printf("kubelet: stopping, killing all containers")
	k.killAll()
	return nil
}

func (k *Kubelet) addPod(w *podWorker) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pods[w.uid] = w
}

func (k *Kubelet) removePod(uid types.UID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.pods, uid)
}

func (k *Kubelet) podByUID(uid types.UID) *podWorker {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pods[uid]
}

// podsOnNode returns the workers of the pods bound to n.
func (k *Kubelet) podsOnNode(n *node) []*podWorker {
	k.mu.Lock()
	defer k.mu.Unlock()
	var workers []*podWorker
	for _, w := range k.pods {
		if w.node == n {
			workers = append(workers, w)
		}
	}
	return workers
}

// podByName returns the newest pod worker for namespace/name.
func (k *Kubelet) podByName(namespace, name string) (*podWorker, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var found *podWorker
	for _, w := range k.pods {
		if w.namespace == namespace && w.name == name {
			if found == nil || w.created.After(found.created) {
				found = w
			}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("pod %q does not exist on this node", namespace+"/"+name)
	}
	return found, nil
}

// containerRunning reports whether the container instance with the given
// runtime id is running; log follow stops when it is not.
func (k *Kubelet) containerRunning(id string) bool {
	k.mu.Lock()
	workers := make([]*podWorker, 0, len(k.pods))
	for _, w := range k.pods {
		workers = append(workers, w)
	}
	k.mu.Unlock()
	for _, w := range workers {
		if w.instanceRunning(id) {
			return true
		}
	}
	return false
}

func (k *Kubelet) killAll() {
	k.mu.Lock()
	workers := make([]*podWorker, 0, len(k.pods))
	for _, w := range k.pods {
		workers = append(workers, w)
	}
	k.mu.Unlock()

	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w.shutdown)
	}
	wg.Wait()
}

// executable is the localcluster binary, which runs as "shim".
func (k *Kubelet) executable() string {
	if k.cluster.Executable != "" {
		return k.cluster.Executable
	}
	exe, _ := os.Executable()
	return exe
}
