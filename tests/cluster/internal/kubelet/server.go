package kubelet

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"time"
)

// The API server is the kubelet API's only client; it presents this
// identity (see --kubelet-client-certificate).
const apiServerClientName = "kube-apiserver-kubelet-client"

// serve starts the node's kubelet API on 127.0.0.1 over TLS, reachable only
// with a client certificate of the API server's kubelet client.
func (n *node) serve() error {
	layout := n.kubelet.layout
	cert, err := tls.LoadX509KeyPair(layout.Cert("kubelet-serving"), layout.Key("kubelet-serving"))
	if err != nil {
		return fmt.Errorf("loading kubelet serving certificate: %w", err)
	}
	caPEM, err := os.ReadFile(layout.Cert("ca"))
	if err != nil {
		return fmt.Errorf("reading cluster CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)

	server := &http.Server{
		Addr:              fmt.Sprintf("127.0.0.1:%d", n.port),
		Handler:           requireAPIServer(n.routes()),
		ReadHeaderTimeout: 30 * time.Second,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
			// The streaming protocols upgrade HTTP/1.1 connections.
			NextProtos: []string{"http/1.1"},
		},
	}
	listener, err := tls.Listen("tcp", server.Addr, server.TLSConfig)
	if err != nil {
		return fmt.Errorf("starting kubelet API of node %s: %w", n.spec.Name, err)
	}
	go func() {
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			log.Printf("node %s: kubelet API stopped: %v", n.spec.Name, err)
		}
	}()
	return nil
}

func (n *node) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", n.kubelet.serveLogs)
	for _, prefix := range []string{"/exec", "/attach"} {
		handler := n.kubelet.serveExec
		if prefix == "/attach" {
			handler = n.kubelet.serveAttach
		}
		mux.HandleFunc(prefix+"/{namespace}/{pod}/{container}", handler)
		mux.HandleFunc(prefix+"/{namespace}/{pod}/{uid}/{container}", handler)
	}
	// NOTE: portForward, metrics, stats and the /pods listing are not served.
	return mux
}

// requireAPIServer rejects clients other than the API server, which a real
// kubelet would check with a SubjectAccessReview instead.
func requireAPIServer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			replyError(w, r, http.StatusUnauthorized, "Unauthorized")
			return
		}
		subject := r.TLS.PeerCertificates[0].Subject
		if subject.CommonName != apiServerClientName && !slices.Contains(subject.Organization, "system:masters") {
			replyErrorf(w, r, http.StatusForbidden, "Forbidden (user=%s)", subject.CommonName)
			return
		}
		next.ServeHTTP(w, r)
	})
}
