package kubelet

import (
	"context"
	"log"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// orphanCheckInterval is how often the pod workers of a node are compared
// with the informer's cache, to stop those whose pod object is gone even if
// the DELETED event was missed.
const orphanCheckInterval = 2 * time.Second

// watchPods starts a pod worker for each pod bound to the node and passes it
// every later version of its pod.
func (n *node) watchPods(ctx context.Context) {
	factory := informers.NewSharedInformerFactoryWithOptions(n.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = "spec.nodeName=" + n.spec.Name
		}))
	informer := factory.Core().V1().Pods().Informer()
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { n.podChanged(ctx, obj) },
		UpdateFunc: func(_, obj any) { n.podChanged(ctx, obj) },
		DeleteFunc: func(obj any) { n.podGone(obj) },
	})
	factory.Start(ctx.Done())
	go n.stopOrphans(ctx, informer)
}

func (n *node) podChanged(ctx context.Context, obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if w := n.kubelet.podByUID(pod.UID); w != nil {
		w.update(pod)
		return
	}
	w := newPodWorker(n, pod)
	// A pod first seen with a deletionTimestamp must not run its containers
	// for the whole grace period.
	w.update(pod)
	n.kubelet.addPod(w)
	go w.run(ctx)
}

// podGone handles a pod whose object was removed without this kubelet
// deleting it, for example by a forced deletion.
func (n *node) podGone(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if w := n.kubelet.podByUID(pod.UID); w != nil {
		w.objectGone()
	}
}

// stopOrphans periodically stops the workers of this node's pods that are
// no longer in the informer's cache. It is a safety net for a lost DELETED
// event: a worker that missed it would run its containers until the kubelet
// stops.
func (n *node) stopOrphans(ctx context.Context, informer cache.SharedIndexInformer) {
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return
	}
	ticker := time.NewTicker(orphanCheckInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for _, w := range n.kubelet.podsOnNode(n) {
			obj, exists, err := informer.GetStore().GetByKey(w.namespace + "/" + w.name)
			if err != nil {
				continue
			}
			if pod, ok := obj.(*corev1.Pod); exists && ok && pod.UID == w.uid {
				continue
			}
			if !w.isGone() {
				log.Printf("pod %s/%s (uid %s): object no longer exists, stopping its containers", w.namespace, w.name, w.uid)
				w.objectGone()
			}
		}
	}
}
