package supervisor

import (
	"fmt"
	"io"
	"log"
	"net"
	"sync"
)

// proxy forwards TCP connections from the users' port to the API server, and
// can reset every open connection at once to simulate a network cut. TLS
// passes through untouched, so clients see the API server's certificate.
type proxy struct {
	listener net.Listener
	target   string

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func startProxy(listenAddr, target string) (*proxy, error) {
	listener, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return nil, fmt.Errorf("starting fault proxy: %w", err)
	}
	p := &proxy{listener: listener, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

func (p *proxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

func (p *proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		log.Printf("proxy: connecting to the API server at %s failed: %v", p.target, err)
		resetAndClose(client)
		return
	}
	p.track(client, server)
	defer p.untrack(client, server)

	done := make(chan struct{}, 2)
	go copyAndSignal(server, client, done)
	go copyAndSignal(client, server, done)
	<-done
	client.Close()
	server.Close()
	<-done
}

func copyAndSignal(dst, src net.Conn, done chan<- struct{}) {
	_, _ = io.Copy(dst, src)
	done <- struct{}{}
}

func (p *proxy) track(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
}

func (p *proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c)
	}
}

// cutAll resets every open connection on both sides and returns how many
// connections it cut. New connections are accepted as before.
func (p *proxy) cutAll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		resetAndClose(c)
	}
	cut := len(p.conns) / 2
	clear(p.conns)
	return cut
}

func (p *proxy) close() {
	p.listener.Close()
	p.cutAll()
}

// resetAndClose closes with SO_LINGER 0, so the peer gets a TCP RST rather
// than an orderly FIN, as when a network path breaks.
func resetAndClose(c net.Conn) {
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	c.Close()
}
