// Package etcd runs an embedded etcd server for the API server, with TLS and
// client-certificate authentication on both its client and peer ports.
package etcd

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

// Main runs the "etcd" subcommand until SIGTERM or SIGINT.
func Main(args []string) error {
	flags := flag.NewFlagSet("etcd", flag.ContinueOnError)
	dataDir := flags.String("data-dir", "", "folder for etcd's data")
	clientPort := flags.Int("client-port", 0, "port for API server connections, on 127.0.0.1")
	peerPort := flags.Int("peer-port", 0, "port for peer connections, on 127.0.0.1")
	certFile := flags.String("cert-file", "", "serving and peer certificate")
	keyFile := flags.String("key-file", "", "key of --cert-file")
	caFile := flags.String("ca-file", "", "CA that client certificates must chain to")
	if err := flags.Parse(args); err != nil {
		return err
	}

	cfg, err := config(*dataDir, *clientPort, *peerPort)
	if err != nil {
		return err
	}
	tls := cfg.ClientTLSInfo
	tls.CertFile, tls.KeyFile, tls.TrustedCAFile, tls.ClientCertAuth = *certFile, *keyFile, *caFile, true
	cfg.ClientTLSInfo, cfg.PeerTLSInfo = tls, tls

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer server.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	select {
	case <-server.Server.ReadyNotify():
		fmt.Fprintln(os.Stderr, "etcd: ready to serve clients")
	case <-ctx.Done():
		return nil
	}
	select {
	case err := <-server.Err():
		return fmt.Errorf("etcd failed: %w", err)
	case <-ctx.Done():
		return nil
	}
}

func config(dataDir string, clientPort, peerPort int) (*embed.Config, error) {
	clientURL, err := url.Parse(fmt.Sprintf("https://127.0.0.1:%d", clientPort))
	if err != nil {
		return nil, err
	}
	peerURL, err := url.Parse(fmt.Sprintf("https://127.0.0.1:%d", peerPort))
	if err != nil {
		return nil, err
	}

	cfg := embed.NewConfig()
	cfg.Name = "localcluster"
	cfg.Dir = dataDir
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.ListenMetricsUrls = nil
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogOutputs = []string{"stderr"}
	cfg.LogLevel = "warn"
	// The cluster is test tooling: losing its data on a power cut is fine,
	// and skipping fsync makes every API write faster.
	cfg.UnsafeNoFsync = true
	return cfg, nil
}
