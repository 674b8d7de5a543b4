package kubelet

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

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
