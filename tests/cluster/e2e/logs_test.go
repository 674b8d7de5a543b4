package e2e

import (
	"bufio"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestLogsFollowWhileRunning(t *testing.T) {
	alice := connect(t, "alice")
	ctx := testContext(t, 2*time.Minute)
	pod := createPod(t, ctx, alice, shellPod(uniqueName("follow"),
		"for i in 1 2 3 4 5; do echo line $i; sleep 1; done"))
	waitForPod(t, ctx, alice, pod.Name, "Running", podRunning)

	stream, err := alice.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatalf("opening log stream: %v", err)
	}
	defer stream.Close()

	scanner := bufio.NewScanner(stream)
	if !scanner.Scan() {
		t.Fatalf("log stream ended before the first line: %v", scanner.Err())
	}
	running, err := alice.client.CoreV1().Pods(testNamespace).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if running.Status.Phase != corev1.PodRunning {
		t.Errorf("first line arrived after the pod finished (phase %s), so it was not followed", running.Status.Phase)
	}

	lines := []string{scanner.Text()}
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	want := "line 1,line 2,line 3,line 4,line 5"
	if got := strings.Join(lines, ","); got != want {
		t.Errorf("followed lines = %q, want %q", got, want)
	}
}

func TestLogsOptions(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	pod := createPod(t, ctx, admin, shellPod(uniqueName("logopts"), "echo one; sleep 0.2; echo two >&2; sleep 1.2; echo three"))
	waitForPod(t, ctx, admin, pod.Name, "Succeeded", func(p *corev1.Pod) (bool, error) {
		return p.Status.Phase == corev1.PodSucceeded, nil
	})

	// sinceTime travels in the query with one-second precision, so "three"
	// comes more than a second after "two" for the since-time case.
	stamped, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &corev1.PodLogOptions{Timestamps: true}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("reading logs with timestamps: %v", err)
	}
	lastLine := strings.Split(strings.TrimSpace(string(stamped)), "\n")[2]
	lastStamp, _, _ := strings.Cut(lastLine, " ")
	since, err := time.Parse(time.RFC3339Nano, lastStamp)
	if err != nil {
		t.Fatalf("parsing timestamp of %q: %v", lastLine, err)
	}

	tail := int64(1)
	limit := int64(4)
	cases := []struct {
		name    string
		options corev1.PodLogOptions
		check   func(string) bool
	}{
		{"all lines", corev1.PodLogOptions{}, func(s string) bool { return s == "one\ntwo\nthree\n" }},
		{"tail lines", corev1.PodLogOptions{TailLines: &tail}, func(s string) bool { return s == "three\n" }},
		{"limit bytes", corev1.PodLogOptions{LimitBytes: &limit}, func(s string) bool { return s == "one\n" }},
		{"since time", corev1.PodLogOptions{SinceTime: &metav1.Time{Time: since}}, func(s string) bool { return s == "three\n" }},
		{"timestamps", corev1.PodLogOptions{Timestamps: true}, func(s string) bool {
			first, _, _ := strings.Cut(s, "\n")
			stamp, text, _ := strings.Cut(first, " ")
			_, err := time.Parse(time.RFC3339Nano, stamp)
			return err == nil && text == "one"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, err := admin.client.CoreV1().Pods(testNamespace).GetLogs(pod.Name, &tc.options).DoRaw(ctx)
			if err != nil {
				t.Fatalf("reading logs: %v", err)
			}
			if !tc.check(string(body)) {
				t.Errorf("unexpected log output %q", body)
			}
		})
	}
}

func TestLogsPreviousAfterRestart(t *testing.T) {
	admin := connect(t, "admin")
	ctx := testContext(t, time.Minute)
	// /tmp is the container's own tmpfs and survives its restarts, so the
	// second instance finds the first one's marker.
	spec := shellPod(uniqueName("previous"),
		"if [ -e /tmp/ran ]; then echo second; sleep 300; else touch /tmp/ran; echo first; exit 1; fi")
	spec.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	pod := createPod(t, ctx, admin, spec)
	waitForPod(t, ctx, admin, pod.Name, "restarted", func(p *corev1.Pod) (bool, error) {
		s := p.Status.ContainerStatuses
		return len(s) == 1 && s[0].RestartCount == 1 && s[0].State.Running != nil, nil
	})

	logs := admin.client.CoreV1().Pods(testNamespace)
	previous, err := logs.GetLogs(pod.Name, &corev1.PodLogOptions{Previous: true}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("reading previous logs: %v", err)
	}
	if string(previous) != "first\n" {
		t.Errorf("previous logs = %q, want %q", previous, "first\n")
	}
	// The second instance may not have written its line yet.
	var current []byte
	for range 40 {
		current, err = logs.GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil {
			t.Fatalf("reading current logs: %v", err)
		}
		if len(current) > 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if string(current) != "second\n" {
		t.Errorf("current logs = %q, want %q", current, "second\n")
	}
}
