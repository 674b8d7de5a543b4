package kubelet

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"

	"mconv.test/cluster/internal/catalog"
)

const (
	heartbeatPeriod = 10 * time.Second
	leaseDuration   = 40
	// Version is what nodes report as their kubelet version: the release
	// that the control plane is built from.
	Version = "v1.37.2"
)

// node is one simulated node: its registration, heartbeats, kubelet API and
// the pods bound to it. Each node talks to the API server as
// system:node:NAME, so the Node authorizer and NodeRestriction apply to it.
type node struct {
	kubelet  *Kubelet
	spec     catalog.Node
	port     int
	client   kubernetes.Interface
	recorder record.EventRecorder

	mu        sync.Mutex
	notReady  bool
	statusNow chan struct{}
}

func newNode(k *Kubelet, spec catalog.Node) (*node, error) {
	path := k.layout.ComponentKubeconfig("node-" + spec.Name)
	config, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig of node %s: %w", spec.Name, err)
	}
	config.QPS, config.Burst = 50, 100
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("creating client of node %s: %w", spec.Name, err)
	}

	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: spec.Name})

	port, ok := k.cluster.KubeletPorts[spec.Name]
	if !ok {
		return nil, fmt.Errorf("no kubelet port chosen for node %s", spec.Name)
	}
	return &node{kubelet: k, spec: spec, port: port, client: client, recorder: recorder, statusNow: make(chan struct{}, 1)}, nil
}

// start registers the node, starts its kubelet API, heartbeats and pod watch.
// It retries the registration while the API server is unreachable, as when
// the kubelet starts during an API server restart.
func (n *node) start(ctx context.Context) error {
	for {
		err := n.register(ctx)
		if err == nil {
			break
		}
		log.Printf("node %s: %v; retrying in 1s", n.spec.Name, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err := n.serve(); err != nil {
		return err
	}
	go n.heartbeat(ctx)
	n.watchPods(ctx)
	return nil
}

// register creates the Node object, or updates labels, taints and status of
// one left from an earlier start.
func (n *node) register(ctx context.Context) error {
	nodes := n.client.CoreV1().Nodes()
	existing, err := nodes.Get(ctx, n.spec.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		obj := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: n.spec.Name, Labels: n.spec.Labels},
			Spec:       corev1.NodeSpec{Taints: n.spec.Taints},
		}
		if _, err := nodes.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("registering node %s: %w", n.spec.Name, err)
		}
	case err != nil:
		return fmt.Errorf("getting node %s: %w", n.spec.Name, err)
	default:
		if existing.Labels == nil {
			existing.Labels = map[string]string{}
		}
		for key, value := range n.spec.Labels {
			existing.Labels[key] = value
		}
		existing.Spec.Taints = mergeTaints(existing.Spec.Taints, n.spec.Taints)
		if _, err := nodes.Update(ctx, existing, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("updating node %s: %w", n.spec.Name, err)
		}
	}
	return n.updateStatus(ctx)
}

// mergeTaints adds the catalog's taints to those present, keeping taints
// that controllers added, such as node.kubernetes.io/unreachable.
func mergeTaints(present, fromCatalog []corev1.Taint) []corev1.Taint {
	merged := append([]corev1.Taint{}, present...)
	for _, w := range fromCatalog {
		found := false
		for _, p := range present {
			if p.Key == w.Key && p.Effect == w.Effect {
				found = true
			}
		}
		if !found {
			merged = append(merged, w)
		}
	}
	return merged
}

// heartbeat renews the node's Lease and posts its status every
// heartbeatPeriod, and posts status at once after a fault hook changes it.
func (n *node) heartbeat(ctx context.Context) {
	ticker := time.NewTicker(heartbeatPeriod)
	defer ticker.Stop()
	for {
		if err := n.renewLease(ctx); err != nil && ctx.Err() == nil {
			log.Printf("node %s: renewing lease: %v", n.spec.Name, err)
		}
		if err := n.updateStatus(ctx); err != nil && ctx.Err() == nil {
			log.Printf("node %s: updating status: %v", n.spec.Name, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-n.statusNow:
		}
	}
}

func (n *node) renewLease(ctx context.Context) error {
	leases := n.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, n.spec.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		lease = &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: n.spec.Name, Namespace: corev1.NamespaceNodeLease},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity:       ptr.To(n.spec.Name),
				LeaseDurationSeconds: ptr.To[int32](leaseDuration),
				RenewTime:            &now,
			},
		}
		if owner, err := n.ownerReference(ctx); err == nil {
			lease.OwnerReferences = []metav1.OwnerReference{owner}
		}
		_, err = leases.Create(ctx, lease, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	lease.Spec.RenewTime = &now
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}

func (n *node) ownerReference(ctx context.Context) (metav1.OwnerReference, error) {
	obj, err := n.client.CoreV1().Nodes().Get(ctx, n.spec.Name, metav1.GetOptions{})
	if err != nil {
		return metav1.OwnerReference{}, err
	}
	return metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: obj.Name, UID: obj.UID}, nil
}

// setReady is the node-ready and node-notready fault hook.
func (n *node) setReady(ready bool) {
	n.mu.Lock()
	n.notReady = !ready
	n.mu.Unlock()
	select {
	case n.statusNow <- struct{}{}:
	default:
	}
}

func (n *node) isReady() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.notReady
}
