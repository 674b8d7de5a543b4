package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// testNamespace holds every object the tests create. The users of the group
// mconv-users get testRole there and nowhere else, so the tests leave no
// permission behind that could hide a gap in mconv's own RBAC rules.
const testNamespace = "localcluster-e2e"

// testRole is what the tests let alice and bob do in testNamespace.
var testRole = []rbacv1.PolicyRule{
	{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"get", "list", "watch", "create", "delete"}},
	{APIGroups: []string{""}, Resources: []string{"pods", "persistentvolumeclaims"}, Verbs: []string{"get", "list", "watch", "create", "delete"}},
	{APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}},
	{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"get", "create"}},
}

func TestMain(m *testing.M) {
	if stateDir := os.Getenv("LOCALCLUSTER_STATE"); stateDir != "" {
		if err := prepareNamespace(stateDir); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: preparing namespace %s: %v\n", testNamespace, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// prepareNamespace creates testNamespace with testRole bound to mconv-users,
// and waits for its default service account, which pods need.
func prepareNamespace(stateDir string) error {
	config, err := clientcmd.BuildConfigFromFlags("", filepath.Join(stateDir, "admin.kubeconfig"))
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	namespace := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}
	if err := ignoreExists(client.CoreV1().Namespaces().Create(ctx, namespace, metav1.CreateOptions{})); err != nil {
		return err
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "e2e-user"}, Rules: testRole}
	if err := ignoreExists(client.RbacV1().Roles(testNamespace).Create(ctx, role, metav1.CreateOptions{})); err != nil {
		return err
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-users"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "e2e-user"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "mconv-users"}},
	}
	if err := ignoreExists(client.RbacV1().RoleBindings(testNamespace).Create(ctx, binding, metav1.CreateOptions{})); err != nil {
		return err
	}
	return wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(testNamespace).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}

func ignoreExists[T any](_ T, err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
