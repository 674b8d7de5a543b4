package kubelet

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStreamWriterSplitsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	log, err := createCRILog(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &streamWriter{log: log, stream: "stdout"}
	_, _ = w.Write([]byte("first\nsec"))
	_, _ = w.Write([]byte("ond\nno newline"))
	w.flush()
	log.close()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want := []string{"stdout F first", "stdout F second", "stdout P no newline"}
	if len(lines) != len(want) {
		t.Fatalf("got %d entries, want %d:\n%s", len(lines), len(want), data)
	}
	for i, line := range lines {
		_, rest, _ := strings.Cut(line, " ")
		if rest != want[i] {
			t.Errorf("entry %d = %q, want %q", i, rest, want[i])
		}
	}
}

func TestStreamWriterSplitsLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	log, err := createCRILog(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &streamWriter{log: log, stream: "stderr"}
	_, _ = w.Write([]byte(strings.Repeat("x", maxLogLine+10) + "\n"))
	log.close()

	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d entries, want 2", len(lines))
	}
	if !strings.Contains(lines[0], " stderr P ") || !strings.Contains(lines[1], " stderr F ") {
		t.Errorf("tags are wrong: %.40q / %.40q", lines[0], lines[1])
	}
}

// blockingWriter is an attached client that never finishes a write until
// released.
type blockingWriter struct{ release chan struct{} }

func (w blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	return len(p), nil
}

func TestFanoutDropsStuckClient(t *testing.T) {
	fan := newFanout()
	stuck := blockingWriter{release: make(chan struct{})}
	defer close(stuck.release)
	fan.add(stuck)

	finished := make(chan struct{})
	go func() {
		for range 2 * fanoutBacklog {
			fan.write([]byte("y\n"))
		}
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("fanout.write blocked on a client that does not read")
	}

	fan.mu.Lock()
	defer fan.mu.Unlock()
	if len(fan.clients) != 0 {
		t.Errorf("fanout still has %d clients, want the stuck one dropped", len(fan.clients))
	}
}

func TestFanoutRemoveWritesQueuedOutput(t *testing.T) {
	fan := newFanout()
	var out bytes.Buffer
	fan.add(&out)
	for range 3 {
		fan.write([]byte("y\n"))
	}
	fan.remove(&out)
	if got := out.String(); got != "y\ny\ny\n" {
		t.Errorf("client received %q, want every chunk written before remove", got)
	}
}
