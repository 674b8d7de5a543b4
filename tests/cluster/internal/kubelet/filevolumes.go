package kubelet

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/fieldpath"
)

const defaultFileMode = 0o644

// volumeFile is one file of a configMap, secret, downwardAPI or projected
// volume.
type volumeFile struct {
	data []byte
	mode os.FileMode
}

// writeFileVolume writes the files of a volume made from API objects into
// the pod folder. A projected service account token is refreshed at 80% of
// its lifetime, as kubelet does, while the pod runs.
func (w *podWorker) writeFileVolume(ctx context.Context, pod *corev1.Pod, v corev1.Volume) (string, error) {
	dir := filepath.Join(w.dir, "volumes", "files", v.Name)
	lifetime, err := w.refreshFileVolume(ctx, pod, v, dir)
	if err != nil {
		return "", err
	}
	if lifetime > 0 {
		go w.keepRefreshing(ctx, pod, v, dir, lifetime)
	}
	return dir, nil
}

func (w *podWorker) refreshFileVolume(ctx context.Context, pod *corev1.Pod, v corev1.Volume, dir string) (time.Duration, error) {
	files := map[string]volumeFile{}
	lifetime, err := w.collectFiles(ctx, pod, v, files)
	if err != nil {
		return 0, err
	}
	return lifetime, writeFiles(dir, files, pod.Spec.SecurityContext)
}

func (w *podWorker) keepRefreshing(ctx context.Context, pod *corev1.Pod, v corev1.Volume, dir string, lifetime time.Duration) {
	for w.sleep(lifetime * 8 / 10) {
		if _, err := w.refreshFileVolume(ctx, pod, v, dir); err != nil {
			log.Printf("pod %s/%s: refreshing volume %q: %v", w.namespace, w.name, v.Name, err)
		}
	}
}

// collectFiles adds the volume's files and returns the shortest token
// lifetime among them, or 0 if there is no token.
func (w *podWorker) collectFiles(ctx context.Context, pod *corev1.Pod, v corev1.Volume, files map[string]volumeFile) (time.Duration, error) {
	switch {
	case v.ConfigMap != nil:
		return 0, w.configMapFiles(ctx, pod, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional, modeOf(v.ConfigMap.DefaultMode), files)
	case v.Secret != nil:
		return 0, w.secretFiles(ctx, pod, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional, modeOf(v.Secret.DefaultMode), files)
	case v.DownwardAPI != nil:
		return 0, downwardFiles(pod, v.DownwardAPI.Items, modeOf(v.DownwardAPI.DefaultMode), files)
	default:
		return w.projectedFiles(ctx, pod, v.Projected, files)
	}
}

func (w *podWorker) projectedFiles(ctx context.Context, pod *corev1.Pod, p *corev1.ProjectedVolumeSource, files map[string]volumeFile) (time.Duration, error) {
	mode := modeOf(p.DefaultMode)
	var lifetime time.Duration
	for _, source := range p.Sources {
		var err error
		switch {
		case source.ServiceAccountToken != nil:
			var ttl time.Duration
			ttl, err = w.tokenFile(ctx, pod, source.ServiceAccountToken, mode, files)
			if lifetime == 0 || ttl < lifetime {
				lifetime = ttl
			}
		case source.ConfigMap != nil:
			err = w.configMapFiles(ctx, pod, source.ConfigMap.Name, source.ConfigMap.Items, source.ConfigMap.Optional, mode, files)
		case source.Secret != nil:
			err = w.secretFiles(ctx, pod, source.Secret.Name, source.Secret.Items, source.Secret.Optional, mode, files)
		case source.DownwardAPI != nil:
			err = downwardFiles(pod, source.DownwardAPI.Items, mode, files)
		default:
			// NOTE: clusterTrustBundle and podCertificate sources are skipped.
		}
		if err != nil {
			return 0, err
		}
	}
	return lifetime, nil
}

// tokenFile requests a service account token bound to the pod, with the
// node's identity, as the Node authorizer allows for pods on the node.
func (w *podWorker) tokenFile(ctx context.Context, pod *corev1.Pod, source *corev1.ServiceAccountTokenProjection, mode os.FileMode, files map[string]volumeFile) (time.Duration, error) {
	request := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: source.ExpirationSeconds,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if source.Audience != "" {
		request.Spec.Audiences = []string{source.Audience}
	}
	account := pod.Spec.ServiceAccountName
	if account == "" {
		account = "default"
	}
	token, err := w.node.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, account, request, metav1.CreateOptions{})
	if err != nil {
		return 0, fmt.Errorf("requesting token for service account %q: %w", account, err)
	}
	files[source.Path] = volumeFile{data: []byte(token.Status.Token), mode: mode}
	return time.Until(token.Status.ExpirationTimestamp.Time), nil
}

func (w *podWorker) configMapFiles(ctx context.Context, pod *corev1.Pod, name string, items []corev1.KeyToPath, optional *bool, mode os.FileMode, files map[string]volumeFile) error {
	cm, err := w.node.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return nil
		}
		return fmt.Errorf("getting configmap %q: %w", name, err)
	}
	data := map[string][]byte{}
	for key, value := range cm.Data {
		data[key] = []byte(value)
	}
	for key, value := range cm.BinaryData {
		data[key] = value
	}
	return addKeys(data, items, mode, files, "configmap "+name)
}

func (w *podWorker) secretFiles(ctx context.Context, pod *corev1.Pod, name string, items []corev1.KeyToPath, optional *bool, mode os.FileMode, files map[string]volumeFile) error {
	secret, err := w.node.client.CoreV1().Secrets(pod.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return nil
		}
		return fmt.Errorf("getting secret %q: %w", name, err)
	}
	return addKeys(secret.Data, items, mode, files, "secret "+name)
}

func addKeys(data map[string][]byte, items []corev1.KeyToPath, mode os.FileMode, files map[string]volumeFile, source string) error {
	if len(items) == 0 {
		for key, value := range data {
			files[key] = volumeFile{data: value, mode: mode}
		}
		return nil
	}
	for _, item := range items {
		value, ok := data[item.Key]
		if !ok {
			return fmt.Errorf("%s has no key %q", source, item.Key)
		}
		itemMode := mode
		if item.Mode != nil {
			itemMode = os.FileMode(*item.Mode)
		}
		files[item.Path] = volumeFile{data: value, mode: itemMode}
	}
	return nil
}

func downwardFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, mode os.FileMode, files map[string]volumeFile) error {
	for _, item := range items {
		if item.FieldRef == nil {
			// NOTE: resourceFieldRef items are skipped.
			continue
		}
		value, err := fieldValue(pod, item.FieldRef.FieldPath)
		if err != nil {
			return err
		}
		itemMode := mode
		if item.Mode != nil {
			itemMode = os.FileMode(*item.Mode)
		}
		files[item.Path] = volumeFile{data: []byte(value), mode: itemMode}
	}
	return nil
}

// fieldValue returns a pod field for a downward API reference.
func fieldValue(pod *corev1.Pod, path string) (string, error) {
	switch path {
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.podIP":
		return "127.0.0.1", nil
	case "status.hostIPs", "status.podIPs":
		return "127.0.0.1", nil
	}
	value, err := fieldpath.ExtractFieldPathAsString(pod, path)
	if err != nil {
		return "", fmt.Errorf("resolving fieldRef %q: %w", path, err)
	}
	return value, nil
}

// writeFiles writes each file through a temporary name and a rename, so a
// reader never sees half a file, and gives files to the pod's fsGroup.
func writeFiles(dir string, files map[string]volumeFile, sc *corev1.PodSecurityContext) error {
	for name, f := range files {
		path := filepath.Join(dir, filepath.Clean("/"+name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(tmp, f.mode); err != nil {
			return err
		}
		if sc != nil && sc.FSGroup != nil {
			if err := os.Chown(tmp, -1, int(*sc.FSGroup)); err != nil {
				return err
			}
			if err := os.Chmod(tmp, f.mode|0o040); err != nil {
				return err
			}
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return os.MkdirAll(dir, 0o755)
}

func modeOf(mode *int32) os.FileMode {
	if mode == nil {
		return defaultFileMode
	}
	return os.FileMode(*mode)
}
