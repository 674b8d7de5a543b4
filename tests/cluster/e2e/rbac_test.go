package e2e

import (
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRBACDeniesAliceSecrets(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 30*time.Second)

	_, err := alice.client.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("listing secrets as alice: error = %v, want Forbidden", err)
	}
	_, err = alice.client.BatchV1().Jobs("kube-system").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("listing Jobs in kube-system as alice: error = %v, want Forbidden", err)
	}
}

func TestRBACAllowsAliceRole(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 30*time.Second)

	if _, err := alice.client.BatchV1().Jobs("default").List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("listing Jobs in default as alice: %v", err)
	}
	if _, err := alice.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("listing nodes as alice: %v", err)
	}
}

func TestRBACSelfSubjectAccessReview(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 30*time.Second)

	cases := []struct {
		verb, resource, subresource string
		allowed                     bool
	}{
		{"create", "jobs", "", true},
		{"get", "pods", "log", true},
		{"create", "pods", "exec", true},
		{"get", "pods", "exec", true},
		{"get", "secrets", "", false},
		{"delete", "nodes", "", false},
	}
	for _, tc := range cases {
		group := ""
		if tc.resource == "jobs" {
			group = "batch"
		}
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: "default", Verb: tc.verb, Group: group, Resource: tc.resource, Subresource: tc.subresource,
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
		if !contains(info.Groups, "mconv-users") {
			t.Errorf("%s's groups %v lack mconv-users", name, info.Groups)
		}
	}
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
