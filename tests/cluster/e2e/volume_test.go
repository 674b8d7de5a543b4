package e2e

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestClaimIsProvisionedAndWritableWithFSGroup(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 2*time.Minute)
	claims := alice.client.CoreV1().PersistentVolumeClaims(testNamespace)
	claim := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: uniqueName("data")},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	if _, err := claims.Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating claim: %v", err)
	}
	t.Cleanup(func() { _ = claims.Delete(ctx, claim.Name, metav1.DeleteOptions{}) })

	spec := shellPod(uniqueName("writer"), "id -u; id -G; echo saved > /data/out && cat /data/out")
	spec.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000), RunAsGroup: ptr.To[int64](1000), FSGroup: ptr.To[int64](2000)}
	spec.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	spec.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim.Name},
	}}}
	pod := createPod(t, ctx, alice, spec)
	waitForPod(t, ctx, alice, pod.Name, "Succeeded", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed, nil
	})

	body, err := alice.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if len(lines) != 3 {
		t.Fatalf("output %q, want uid, groups and the saved line", body)
	}
	if lines[0] != "1000" {
		t.Errorf("uid = %s, want 1000 from runAsUser", lines[0])
	}
	if !strings.Contains(" "+lines[1]+" ", " 2000 ") {
		t.Errorf("groups = %s, want fsGroup 2000 among them", lines[1])
	}
	if lines[2] != "saved" {
		t.Errorf("writing to the claim as a non-root user failed: %q", body)
	}
}

func TestServiceAccountTokenIsMounted(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := createPod(t, ctx, admin, shellPod(uniqueName("token"),
		"cd /var/run/secrets/kubernetes.io/serviceaccount && cat namespace && test -s token && grep -q CERTIFICATE ca.crt"))

	done := waitForPod(t, ctx, admin, pod.Name, "finished", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed, nil
	})
	if done.Status.Phase != corev1.PodSucceeded {
		body, _ := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		t.Fatalf("service account files are missing: %s; output %q", describe(done), body)
	}
}
