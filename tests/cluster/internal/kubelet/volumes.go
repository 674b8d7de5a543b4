package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// prepareVolumes makes a host folder for every volume of the pod and returns
// them by volume name. An error means "try again later", for example while
// a claim is not bound yet.
func (w *podWorker) prepareVolumes(ctx context.Context) (map[string]string, error) {
	pod := w.currentPod()
	folders := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		folder, err := w.prepareVolume(ctx, pod, v)
		if err != nil {
			return nil, fmt.Errorf("MountVolume.SetUp failed for volume %q: %w", v.Name, err)
		}
		folders[v.Name] = folder
	}
	return folders, nil
}

func (w *podWorker) prepareVolume(ctx context.Context, pod *corev1.Pod, v corev1.Volume) (string, error) {
	switch {
	case v.EmptyDir != nil:
		return w.emptyDir(pod, v.Name)
	case v.PersistentVolumeClaim != nil:
		return w.claimFolder(ctx, pod, v.PersistentVolumeClaim.ClaimName)
	case v.HostPath != nil:
		return hostPathFolder(v.HostPath)
	case v.ConfigMap != nil, v.Secret != nil, v.Projected != nil, v.DownwardAPI != nil:
		return w.writeFileVolume(ctx, pod, v)
	default:
		// NOTE: other volume types (CSI, ephemeral, image, ...) are not
		// simulated; a pod that uses one stays Pending with this message.
		return "", fmt.Errorf("volume type is not supported by the local cluster")
	}
}

// emptyDir creates the volume as kubelet does: world-writable, and owned by
// the pod's fsGroup if it has one. Medium "Memory" is stored on disk too.
func (w *podWorker) emptyDir(pod *corev1.Pod, name string) (string, error) {
	dir := filepath.Join(w.dir, "volumes", "empty-dir", name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		return "", err
	}
	return dir, applyFSGroup(dir, pod.Spec.SecurityContext)
}

// claimFolder returns the host folder of the PersistentVolume bound to the
// claim, with the pod's fsGroup applied as for a block-device volume.
func (w *podWorker) claimFolder(ctx context.Context, pod *corev1.Pod, claimName string) (string, error) {
	core := w.node.client.CoreV1()
	claim, err := core.PersistentVolumeClaims(pod.Namespace).Get(ctx, claimName, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("getting PersistentVolumeClaim %q: %w", claimName, err)
	}
	if claim.Status.Phase != corev1.ClaimBound || claim.Spec.VolumeName == "" {
		return "", fmt.Errorf("PersistentVolumeClaim %q is not bound yet", claimName)
	}
	volume, err := core.PersistentVolumes().Get(ctx, claim.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("getting PersistentVolume %q: %w", claim.Spec.VolumeName, err)
	}

	var dir string
	switch {
	case volume.Spec.HostPath != nil:
		dir = volume.Spec.HostPath.Path
	case volume.Spec.Local != nil:
		dir = volume.Spec.Local.Path
	default:
		return "", fmt.Errorf("PersistentVolume %q is neither hostPath nor local", volume.Name)
	}
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("PersistentVolume %q: %w", volume.Name, err)
	}
	return dir, applyFSGroup(dir, pod.Spec.SecurityContext)
}

func hostPathFolder(source *corev1.HostPathVolumeSource) (string, error) {
	if source.Type != nil && *source.Type == corev1.HostPathDirectoryOrCreate {
		if err := os.MkdirAll(source.Path, 0o755); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(source.Path); err != nil {
		return "", err
	}
	return source.Path, nil
}

// applyFSGroup gives the volume to the pod's fsGroup as kubelet does: every
// file and folder gets the group, group read and write permission, and
// folders get the setgid bit so new files inherit the group. With
// fsGroupChangePolicy OnRootMismatch it skips volumes whose root is done.
func applyFSGroup(dir string, sc *corev1.PodSecurityContext) error {
	if sc == nil || sc.FSGroup == nil {
		return nil
	}
	gid := int(*sc.FSGroup)
	if sc.FSGroupChangePolicy != nil && *sc.FSGroupChangePolicy == corev1.FSGroupChangeOnRootMismatch && ownedBy(dir, gid) {
		return nil
	}
	return filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode()&os.ModeSymlink != 0 {
			return nil
		}
		if err := os.Lchown(path, -1, gid); err != nil {
			return fmt.Errorf("applying fsGroup %d: %w", gid, err)
		}
		mode := info.Mode() | 0o660
		if info.IsDir() {
			mode |= 0o110 | os.ModeSetgid
		}
		return os.Chmod(path, mode)
	})
}

func ownedBy(dir string, gid int) bool {
	info, err := os.Stat(dir)
	if err != nil {
		return false
	}
	st, ok := statOf(info)
	return ok && int(st.Gid) == gid && info.Mode()&os.ModeSetgid != 0
}
