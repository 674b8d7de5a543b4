package kubelet

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/api/v1/resource"
	"k8s.io/kubernetes/third_party/forked/golang/expansion"
)

// containerEnv returns the container's environment as "NAME=value" entries:
// the variables a runtime and kubelet set, then envFrom, then env, with
// $(NAME) references expanded as kubelet expands them.
func (w *podWorker) containerEnv(ctx context.Context, c *container) ([]string, error) {
	pod := w.currentPod()
	w.mu.Lock()
	folder := c.folder
	w.mu.Unlock()

	uid, _, _ := w.identity(c)
	vars := newEnvList()
	vars.set("PATH", imagePath(folder))
	vars.set("HOSTNAME", pod.Name)
	vars.set("HOME", homeFor(uid))
	// Pods reach the API server through the fault proxy on 127.0.0.1, since
	// nothing routes the "kubernetes" Service's ClusterIP here.
	port := strconv.Itoa(w.node.kubelet.cluster.ProxyPort)
	vars.set("KUBERNETES_SERVICE_HOST", "127.0.0.1")
	vars.set("KUBERNETES_SERVICE_PORT", port)
	vars.set("KUBERNETES_SERVICE_PORT_HTTPS", port)
	vars.set("KUBERNETES_PORT", "tcp://127.0.0.1:"+port)

	if err := w.addEnvFrom(ctx, pod, c.spec.EnvFrom, vars); err != nil {
		return nil, err
	}
	for _, e := range c.spec.Env {
		value, err := w.envValue(ctx, pod, c, e, vars)
		if err != nil {
			return nil, err
		}
		vars.set(e.Name, value)
	}
	return vars.entries(), nil
}

func (w *podWorker) envValue(ctx context.Context, pod *corev1.Pod, c *container, e corev1.EnvVar, vars *envList) (string, error) {
	if e.ValueFrom == nil {
		return expansion.Expand(e.Value, expansion.MappingFuncFor(vars.values)), nil
	}
	from := e.ValueFrom
	switch {
	case from.FieldRef != nil:
		return fieldValue(pod, from.FieldRef.FieldPath)
	case from.ResourceFieldRef != nil:
		return resource.ExtractContainerResourceValue(from.ResourceFieldRef, &c.spec)
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		cm, err := w.node.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return optionalValue(ref.Optional, fmt.Errorf("env %s: getting configmap %q: %w", e.Name, ref.Name, err))
		}
		value, ok := cm.Data[ref.Key]
		if !ok {
			return optionalValue(ref.Optional, fmt.Errorf("env %s: configmap %q has no key %q", e.Name, ref.Name, ref.Key))
		}
		return value, nil
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		secret, err := w.node.client.CoreV1().Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return optionalValue(ref.Optional, fmt.Errorf("env %s: getting secret %q: %w", e.Name, ref.Name, err))
		}
		value, ok := secret.Data[ref.Key]
		if !ok {
			return optionalValue(ref.Optional, fmt.Errorf("env %s: secret %q has no key %q", e.Name, ref.Name, ref.Key))
		}
		return string(value), nil
	default:
		return "", fmt.Errorf("env %s: valueFrom source is not supported", e.Name)
	}
}

func optionalValue(optional *bool, err error) (string, error) {
	if optional != nil && *optional {
		return "", nil
	}
	return "", err
}

func (w *podWorker) addEnvFrom(ctx context.Context, pod *corev1.Pod, sources []corev1.EnvFromSource, vars *envList) error {
	core := w.node.client.CoreV1()
	for _, source := range sources {
		switch {
		case source.ConfigMapRef != nil:
			cm, err := core.ConfigMaps(pod.Namespace).Get(ctx, source.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				if _, err := optionalValue(source.ConfigMapRef.Optional, err); err != nil {
					return fmt.Errorf("envFrom configmap %q: %w", source.ConfigMapRef.Name, err)
				}
				continue
			}
			for key, value := range cm.Data {
				vars.set(source.Prefix+key, value)
			}
		case source.SecretRef != nil:
			secret, err := core.Secrets(pod.Namespace).Get(ctx, source.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				if _, err := optionalValue(source.SecretRef.Optional, err); err != nil {
					return fmt.Errorf("envFrom secret %q: %w", source.SecretRef.Name, err)
				}
				continue
			}
			for key, value := range secret.Data {
				vars.set(source.Prefix+key, string(value))
			}
		}
	}
	return nil
}

// expandCommand returns command and args with $(NAME) references expanded.
func expandCommand(spec corev1.Container, env []string) []string {
	values := map[string]string{}
	for _, entry := range env {
		name, value, _ := strings.Cut(entry, "=")
		values[name] = value
	}
	mapping := expansion.MappingFuncFor(values)
	var argv []string
	for _, s := range append(append([]string{}, spec.Command...), spec.Args...) {
		argv = append(argv, expansion.Expand(s, mapping))
	}
	return argv
}

// imagePath puts the image folder's bin/ before the kubelet's own PATH.
func imagePath(folder string) string {
	hostPath := os.Getenv("PATH")
	if hostPath == "" {
		hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	if folder == "" {
		return hostPath
	}
	return folder + "/bin:" + hostPath
}

func homeFor(uid int64) string {
	if uid == 0 {
		return "/root"
	}
	return "/"
}

// identity returns the user, group and supplementary groups that the
// container runs as: the container's securityContext over the pod's, root
// by default, plus the pod's fsGroup and supplementalGroups.
func (w *podWorker) identity(c *container) (uid, gid int64, groups []int64) {
	pod := w.currentPod()
	if psc := pod.Spec.SecurityContext; psc != nil {
		if psc.RunAsUser != nil {
			uid = *psc.RunAsUser
		}
		if psc.RunAsGroup != nil {
			gid = *psc.RunAsGroup
		}
		if psc.FSGroup != nil {
			groups = append(groups, *psc.FSGroup)
		}
		groups = append(groups, psc.SupplementalGroups...)
	}
	if csc := c.spec.SecurityContext; csc != nil {
		if csc.RunAsUser != nil {
			uid = *csc.RunAsUser
		}
		if csc.RunAsGroup != nil {
			gid = *csc.RunAsGroup
		}
	}
	return uid, gid, groups
}

// envList keeps variables in the order first set, as kubelet passes them.
type envList struct {
	order  []string
	values map[string]string
}

func newEnvList() *envList { return &envList{values: map[string]string{}} }

func (l *envList) set(name, value string) {
	if _, ok := l.values[name]; !ok {
		l.order = append(l.order, name)
	}
	l.values[name] = value
}

func (l *envList) entries() []string {
	out := make([]string, 0, len(l.order))
	for _, name := range l.order {
		out = append(out, name+"="+l.values[name])
	}
	return out
}
