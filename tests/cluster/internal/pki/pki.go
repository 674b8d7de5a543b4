// Package pki creates the cluster's certificate authority and the certificates
// and keys that every component and user presents. All keys are ECDSA P-256.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

const validity = 365 * 24 * time.Hour

// CA is the cluster's certificate authority. It signs every serving and client
// certificate of the cluster.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	dir  string
}

// Identity describes one certificate to issue.
type Identity struct {
	// File is the base name: the certificate goes to File.crt, the key to File.key.
	File         string
	CommonName   string
	Organization []string
	// DNSNames and IPs make a serving certificate; a certificate without them
	// is for client authentication only.
	DNSNames []string
	IPs      []net.IP
}

// LoadOrCreateCA loads ca.crt and ca.key from dir, or creates them if absent.
func LoadOrCreateCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating pki folder: %w", err)
	}
	ca := &CA{dir: dir}
	certPath, keyPath := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")

	if _, err := os.Stat(certPath); err == nil {
		return ca, ca.load(certPath, keyPath)
	}
	return ca, ca.create(certPath, keyPath)
}

// CertPath returns the path of the CA certificate.
func (ca *CA) CertPath() string { return filepath.Join(ca.dir, "ca.crt") }

func (ca *CA) load(certPath, keyPath string) error {
	cert, err := readCert(certPath)
	if err != nil {
		return err
	}
	key, err := readKey(keyPath)
	if err != nil {
		return err
	}
	ca.Cert, ca.Key = cert, key
	return nil
}

func (ca *CA) create(certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating CA key: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: "localcluster-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return fmt.Errorf("signing CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("parsing CA certificate: %w", err)
	}
	ca.Cert, ca.Key = cert, key
	return writeCertAndKey(certPath, keyPath, der, key)
}

// Issue writes id.File.crt and id.File.key signed by the CA, unless both exist.
func (ca *CA) Issue(id Identity) error {
	certPath := filepath.Join(ca.dir, id.File+".crt")
	keyPath := filepath.Join(ca.dir, id.File+".key")
	if fileExists(certPath) && fileExists(keyPath) {
		return nil
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating key for %q: %w", id.File, err)
	}
	template := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: id.CommonName, Organization: id.Organization},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:     id.DNSNames,
		IPAddresses:  id.IPs,
	}
	if len(id.DNSNames) > 0 || len(id.IPs) > 0 {
		template.ExtKeyUsage = append(template.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return fmt.Errorf("signing certificate %q: %w", id.File, err)
	}
	return writeCertAndKey(certPath, keyPath, der, key)
}

// EnsureKeyPair writes a bare key pair (File.key, File.pub) unless it exists.
// The API server signs service account tokens with it.
func EnsureKeyPair(dir, file string) error {
	keyPath, pubPath := filepath.Join(dir, file+".key"), filepath.Join(dir, file+".pub")
	if fileExists(keyPath) && fileExists(pubPath) {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating %q: %w", file, err)
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("encoding %q public key: %w", file, err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return err
	}
	return writePEM(pubPath, "PUBLIC KEY", pub, 0o644)
}

func writeCertAndKey(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	if err := writeKey(keyPath, key); err != nil {
		return err
	}
	return writePEM(certPath, "CERTIFICATE", der, 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding key %s: %w", path, err)
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func readCert(path string) (*x509.Certificate, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate %s: %w", path, err)
	}
	return cert, nil
}

func readKey(path string) (crypto.Signer, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing key %s: %w", path, err)
	}
	return key, nil
}

func readPEM(path string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("reading %s: no PEM block found", path)
	}
	return block, nil
}

func serialNumber() *big.Int {
	limit := new(big.Int).Lsh(big.NewInt(1), 120)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		panic(errors.New("reading random bytes for a certificate serial number failed"))
	}
	return n
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
