// Package provisioner is the dynamic provisioner of the local-hostpath
// StorageClass: it creates a host folder and a hostPath PersistentVolume for
// each claim of that class, and removes both once a released volume's
// reclaim policy is Delete.
package provisioner

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"

	"mconv.test/cluster/internal/state"
)

// Name is the provisioner name that StorageClasses refer to.
const Name = "localcluster.mconv.test/hostpath"

const (
	provisionedByAnnotation = "pv.kubernetes.io/provisioned-by"
	resyncPeriod            = 30 * time.Second
)

type provisioner struct {
	client     kubernetes.Interface
	classes    storagelisters.StorageClassLister
	volumesDir string
	recorder   record.EventRecorder
}

// Main runs the "provisioner" subcommand until SIGTERM or SIGINT.
func Main(args []string) error {
	flags := flag.NewFlagSet("provisioner", flag.ContinueOnError)
	stateDir := flags.String("state", "", "state folder of the cluster")
	if err := flags.Parse(args); err != nil {
		return err
	}
	layout := state.Layout{Root: *stateDir}
	config, err := clientcmd.BuildConfigFromFlags("", layout.ComponentKubeconfig("provisioner"))
	if err != nil {
		return fmt.Errorf("loading provisioner kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	factory := informers.NewSharedInformerFactory(client, resyncPeriod)
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	p := &provisioner{
		client:     client,
		classes:    factory.Storage().V1().StorageClasses().Lister(),
		volumesDir: layout.Volumes(),
		recorder:   broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
	}

	_, _ = factory.Core().V1().PersistentVolumeClaims().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { p.claimChanged(ctx, obj) },
		UpdateFunc: func(_, obj any) { p.claimChanged(ctx, obj) },
	})
	_, _ = factory.Core().V1().PersistentVolumes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { p.volumeChanged(ctx, obj) },
		UpdateFunc: func(_, obj any) { p.volumeChanged(ctx, obj) },
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	log.Printf("provisioner %s: running, volumes in %s", Name, p.volumesDir)
	<-ctx.Done()
	return nil
}

func (p *provisioner) claimChanged(ctx context.Context, obj any) {
	claim, ok := obj.(*corev1.PersistentVolumeClaim)
	if !ok || claim.Spec.VolumeName != "" || claim.Status.Phase != corev1.ClaimPending || claim.DeletionTimestamp != nil {
		return
	}
	if claim.Spec.StorageClassName == nil {
		return
	}
	class, err := p.classes.Get(*claim.Spec.StorageClassName)
	if err != nil || class.Provisioner != Name {
		return
	}
	if err := p.provision(ctx, claim, class.ReclaimPolicy); err != nil {
		log.Printf("provisioning claim %s/%s: %v", claim.Namespace, claim.Name, err)
		p.recorder.Eventf(claim, corev1.EventTypeWarning, "ProvisioningFailed", "failed to provision volume: %v", err)
	}
}

func (p *provisioner) provision(ctx context.Context, claim *corev1.PersistentVolumeClaim, policy *corev1.PersistentVolumeReclaimPolicy) error {
	for _, mode := range claim.Spec.AccessModes {
		if mode != corev1.ReadWriteOnce && mode != corev1.ReadWriteOncePod {
			return fmt.Errorf("access mode %s is not supported; use ReadWriteOnce", mode)
		}
	}
	size, ok := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return fmt.Errorf("the claim requests no storage size")
	}

	name := "pvc-" + string(claim.UID)
	dir := filepath.Join(p.volumesDir, name)
	// Root-owned and not world-writable, like a freshly formatted disk:
	// non-root pods need an fsGroup to write, as on a real cluster.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating volume folder: %w", err)
	}

	reclaim := corev1.PersistentVolumeReclaimDelete
	if policy != nil {
		reclaim = *policy
	}
	volume := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{provisionedByAnnotation: Name}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              *claim.Spec.StorageClassName,
			VolumeMode:                    claim.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID,
			},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: dir}},
		},
	}
	_, err := p.client.CoreV1().PersistentVolumes().Create(ctx, volume, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating PersistentVolume %s: %w", name, err)
	}
	log.Printf("provisioned %s for claim %s/%s in %s", name, claim.Namespace, claim.Name, dir)
	p.recorder.Eventf(claim, corev1.EventTypeNormal, "ProvisioningSucceeded", "Successfully provisioned volume %s", name)
	return nil
}

// volumeChanged deletes a released volume of this provisioner whose reclaim
// policy is Delete, folder first.
func (p *provisioner) volumeChanged(ctx context.Context, obj any) {
	volume, ok := obj.(*corev1.PersistentVolume)
	if !ok || volume.Annotations[provisionedByAnnotation] != Name || volume.DeletionTimestamp != nil {
		return
	}
	if volume.Status.Phase != corev1.VolumeReleased || volume.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		return
	}
	if err := p.deleteVolume(ctx, volume); err != nil {
		log.Printf("deleting volume %s: %v", volume.Name, err)
	}
}

func (p *provisioner) deleteVolume(ctx context.Context, volume *corev1.PersistentVolume) error {
	if volume.Spec.HostPath == nil {
		return fmt.Errorf("volume has no hostPath")
	}
	dir := filepath.Clean(volume.Spec.HostPath.Path)
	if !strings.HasPrefix(dir, filepath.Clean(p.volumesDir)+"/") {
		return fmt.Errorf("folder %s is outside %s; leaving it", dir, p.volumesDir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing folder: %w", err)
	}
	err := p.client.CoreV1().PersistentVolumes().Delete(ctx, volume.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	log.Printf("deleted released volume %s and %s", volume.Name, dir)
	return nil
}
