package supervisor

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer accepts connections on loopback and echoes what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(conn, conn) }()
		}
	}()
	return listener.Addr().String()
}

func dialAndEcho(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "ping\n" {
		t.Fatalf("echo through proxy = %q, %v", line, err)
	}
	return conn
}

func TestProxyForwards(t *testing.T) {
	p, err := startProxy("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	dialAndEcho(t, p.listener.Addr().String()).Close()
}

func TestProxyCutResetsOpenConnections(t *testing.T) {
	p, err := startProxy("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	conn := dialAndEcho(t, p.listener.Addr().String())
	defer conn.Close()

	if cut := p.cutAll(); cut != 1 {
		t.Errorf("cutAll reported %d connections, want 1", cut)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("read succeeded on a connection that was cut")
	}
	dialAndEcho(t, p.listener.Addr().String()).Close()
}
