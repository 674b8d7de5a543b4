package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveInRootFollowsAbsoluteLinkInsideRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "var"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/run", filepath.Join(root, "var", "run")); err != nil {
		t.Fatal(err)
	}

	got, err := resolveInRoot(root, "/var/run/secrets/token")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "run/secrets/token"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestResolveInRootStopsDotDotAtRoot(t *testing.T) {
	root := t.TempDir()
	got, err := resolveInRoot(root, "/../../etc")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "etc"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestResolveInRootRejectsLinkLoop(t *testing.T) {
	root := t.TempDir()
	if err := os.Symlink("/loop", filepath.Join(root, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveInRoot(root, "/loop/x"); err == nil {
		t.Fatal("a link loop resolved without error")
	}
}
