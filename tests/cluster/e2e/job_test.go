package e2e

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

func shellJob(name, script string) *batchv1.Job {
	pod := shellPod("", script)
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			BackoffLimit:            ptr.To[int32](0),
			TTLSecondsAfterFinished: ptr.To[int32](300),
			Template:                corev1.PodTemplateSpec{Spec: pod.Spec},
		},
	}
}

// waitForJobCondition waits for the Job's Complete or Failed condition and
// returns its type.
func waitForJobCondition(t *testing.T, ctx context.Context, u user, name string) batchv1.JobConditionType {
	t.Helper()
	var found batchv1.JobConditionType
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		job, err := u.client.BatchV1().Jobs(testNamespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range job.Status.Conditions {
			if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
				found = c.Type
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("waiting for Job %s to finish: %v", name, err)
	}
	return found
}

func createJob(t *testing.T, ctx context.Context, u user, job *batchv1.Job) {
	t.Helper()
	jobs := u.client.BatchV1().Jobs(testNamespace)
	if _, err := jobs.Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Job %s: %v", job.Name, err)
	}
	t.Cleanup(func() {
		background := metav1.DeletePropagationBackground
		_ = jobs.Delete(context.Background(), job.Name, metav1.DeleteOptions{PropagationPolicy: &background})
	})
}

func TestJobRunsToComplete(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 2*time.Minute)
	name := uniqueName("complete")
	createJob(t, ctx, alice, shellJob(name, "echo converting"))

	if got := waitForJobCondition(t, ctx, alice, name); got != batchv1.JobComplete {
		t.Fatalf("Job %s ended with condition %s, want Complete", name, got)
	}
}

func TestJobFailsOnNonZeroExit(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 2*time.Minute)
	name := uniqueName("fail")
	createJob(t, ctx, alice, shellJob(name, "exit 3"))

	if got := waitForJobCondition(t, ctx, alice, name); got != batchv1.JobFailed {
		t.Fatalf("Job %s ended with condition %s, want Failed", name, got)
	}
}

func TestJobPodTerminatedStatus(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := createPod(t, ctx, admin, shellPod(uniqueName("exit"), "exit 5"))

	done := waitForPod(t, ctx, admin, pod.Name, "Failed", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodFailed, nil
	})
	state := done.Status.ContainerStatuses[0].State.Terminated
	if state == nil {
		t.Fatalf("container is not terminated: %s", describe(done))
	}
	if state.ExitCode != 5 {
		t.Errorf("exit code = %d, want 5", state.ExitCode)
	}
	if state.Reason != "Error" {
		t.Errorf("reason = %q, want Error", state.Reason)
	}
}
