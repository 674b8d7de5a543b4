package e2e

import (
	"slices"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRBACDeniesWhatRoleLacks(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 30*time.Second)

	_, err := alice.client.CoreV1().Secrets(testNamespace).List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("listing secrets as alice: error = %v, want Forbidden", err)
	}
	_, err = alice.client.BatchV1().Jobs("kube-system").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("listing Jobs in kube-system, where alice has no role: error = %v, want Forbidden", err)
	}
	err = alice.client.CoreV1().Nodes().Delete(ctx, "cpu-0", metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
	if !apierrors.IsForbidden(err) {
		t.Errorf("deleting node cpu-0 (dry run) as alice: error = %v, want Forbidden", err)
	}
}

func TestRBACAllowsWhatRoleGrants(t *testing.T) {
	for _, name := range []string{"alice", "bob"} {
		u := connect(t, name)
		ctx := testContext(t, 30*time.Second)
		if _, err := u.client.BatchV1().Jobs(testNamespace).List(ctx, metav1.ListOptions{}); err != nil {
			t.Errorf("listing Jobs as %s: %v", name, err)
		}
		if _, err := u.client.CoreV1().Pods(testNamespace).List(ctx, metav1.ListOptions{}); err != nil {
			t.Errorf("listing pods as %s: %v", name, err)
		}
	}
}

func TestRBACSelfSubjectAccessReview(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 30*time.Second)

	cases := []struct {
		verb, group, resource, subresource string
		allowed                            bool
	}{
		{"create", "batch", "jobs", "", true},
		{"get", "", "pods", "log", true},
		{"create", "", "pods", "exec", true},
		{"get", "", "pods", "exec", true},
		{"create", "", "pods", "attach", false},
		{"get", "", "secrets", "", false},
		{"update", "batch", "jobs", "", false},
	}
	for _, tc := range cases {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: testNamespace, Verb: tc.verb, Group: tc.group, Resource: tc.resource, Subresource: tc.subresource,
			},
		}}
		result, err := alice.client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating SelfSubjectAccessReview: %v", err)
		}
		if result.Status.Allowed != tc.allowed {
			t.Errorf("%s %s/%s: allowed = %v, want %v", tc.verb, tc.resource, tc.subresource, result.Status.Allowed, tc.allowed)
		}
	}
}

func TestUsersShareGroup(t *testing.T) {
	for _, name := range []string{"alice", "bob"} {
		u := connect(t, name)
		ctx := testContext(t, 30*time.Second)
		review, err := u.client.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating SelfSubjectReview as %s: %v", name, err)
		}
		info := review.Status.UserInfo
		if info.Username != name {
			t.Errorf("username = %q, want %q", info.Username, name)
		}
		if !slices.Contains(info.Groups, "mconv-users") {
			t.Errorf("%s's groups %v lack mconv-users", name, info.Groups)
		}
	}
}
