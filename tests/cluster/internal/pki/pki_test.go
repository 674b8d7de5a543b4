package pki

import (
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestIssueSignsVerifiableServingCertificate(t *testing.T) {
	dir := t.TempDir()
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := Identity{File: "server", CommonName: "server", DNSNames: []string{"localhost"}, IPs: []net.IP{net.ParseIP("127.0.0.1")}}
	if err := ca.Issue(id); err != nil {
		t.Fatal(err)
	}

	cert, err := readCert(filepath.Join(dir, "server.crt"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	options := x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if _, err := cert.Verify(options); err != nil {
		t.Errorf("serving certificate does not verify for 127.0.0.1: %v", err)
	}
}

func TestIssueClientCertificateCarriesGroups(t *testing.T) {
	dir := t.TempDir()
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Issue(Identity{File: "alice", CommonName: "alice", Organization: []string{"mconv-users"}}); err != nil {
		t.Fatal(err)
	}
	cert, err := readCert(filepath.Join(dir, "alice.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != "alice" {
		t.Errorf("common name = %q, want alice", cert.Subject.CommonName)
	}
	if len(cert.Subject.Organization) != 1 || cert.Subject.Organization[0] != "mconv-users" {
		t.Errorf("organizations = %v, want [mconv-users]", cert.Subject.Organization)
	}
}

func TestLoadOrCreateCAReusesExisting(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Cert.Equal(second.Cert) {
		t.Error("a second LoadOrCreateCA made a new CA")
	}
	info, err := os.Stat(filepath.Join(dir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("ca.key mode = %v, want 0600", info.Mode().Perm())
	}
}
