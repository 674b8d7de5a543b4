package kubelet

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"
)

// maxLogLine is the longest line content written as one CRI log entry; longer
// lines are split into partial ("P") entries, as container runtimes do.
const maxLogLine = 16 * 1024

// criLog is one container instance's log file in the CRI format that the
// kubelet reads: "TIMESTAMP STREAM TAG CONTENT" per line, where TAG is F for
// the end of a line and P for part of one. Both streams share the file.
type criLog struct {
	mu   sync.Mutex
	file *os.File
}

func createCRILog(path string) (*criLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return nil, fmt.Errorf("creating container log: %w", err)
	}
	return &criLog{file: f}, nil
}

func (l *criLog) writeEntry(stream, tag string, content []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stamp := time.Now().UTC().Format(time.RFC3339Nano)
	line := make([]byte, 0, len(stamp)+len(stream)+len(content)+5)
	line = append(line, stamp...)
	line = append(line, ' ')
	line = append(line, stream...)
	line = append(line, ' ')
	line = append(line, tag...)
	line = append(line, ' ')
	line = append(line, content...)
	line = append(line, '\n')
	_, _ = l.file.Write(line)
}

func (l *criLog) close() error { return l.file.Close() }

// streamWriter splits one stream's output into log entries. Flush writes what
// is left after the process exits, as a partial entry, since it ended
// without a newline.
type streamWriter struct {
	log    *criLog
	stream string
	buf    []byte
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		switch {
		case i >= 0 && i <= maxLogLine:
			w.log.writeEntry(w.stream, "F", w.buf[:i])
			w.buf = w.buf[i+1:]
		case len(w.buf) > maxLogLine:
			w.log.writeEntry(w.stream, "P", w.buf[:maxLogLine])
			w.buf = w.buf[maxLogLine:]
		default:
			return len(p), nil
		}
	}
}

func (w *streamWriter) flush() {
	if len(w.buf) > 0 {
		w.log.writeEntry(w.stream, "P", w.buf)
		w.buf = nil
	}
}

// copyStream copies a process's output pipe into the log and to any attached
// clients until the pipe closes.
func copyStream(src io.Reader, w *streamWriter, fan *fanout) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			_, _ = w.Write(buf[:n])
			fan.write(buf[:n])
		}
		if err != nil {
			w.flush()
			return
		}
	}
}

// fanoutBacklog is how many output chunks (up to 32 KiB each) an attached
// client may fall behind before it is dropped.
const fanoutBacklog = 256

// fanout copies a stream to the clients attached to the container. Each
// client is written by its own goroutine, so a client that stops reading
// never blocks the copy into the log, and with it the container's output
// pipe. A client that falls fanoutBacklog chunks behind is dropped.
type fanout struct {
	mu      sync.Mutex
	clients map[io.Writer]*fanoutClient
}

type fanoutClient struct {
	chunks chan []byte
	// detached is closed when the client is removed or dropped; stopped is
	// closed when its goroutine has returned.
	detached, stopped chan struct{}
}

func newFanout() *fanout { return &fanout{clients: map[io.Writer]*fanoutClient{}} }

func (f *fanout) add(w io.Writer) {
	client := &fanoutClient{
		chunks:   make(chan []byte, fanoutBacklog),
		detached: make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	f.mu.Lock()
	f.clients[w] = client
	f.mu.Unlock()
	go client.send(w, f)
}

// send writes the client's chunks in order. Once detached, it writes those
// already queued and returns.
func (c *fanoutClient) send(w io.Writer, f *fanout) {
	defer close(c.stopped)
	for {
		select {
		case chunk := <-c.chunks:
			if _, err := w.Write(chunk); err != nil {
				f.mu.Lock()
				f.detachLocked(w)
				f.mu.Unlock()
				return
			}
		case <-c.detached:
			for {
				select {
				case chunk := <-c.chunks:
					if _, err := w.Write(chunk); err != nil {
						return
					}
				default:
					return
				}
			}
		}
	}
}

// remove detaches w and waits until the output queued for it is written, so
// that the caller may close w afterwards.
func (f *fanout) remove(w io.Writer) {
	f.mu.Lock()
	client := f.clients[w]
	f.detachLocked(w)
	f.mu.Unlock()
	if client != nil {
		<-client.stopped
	}
}

func (f *fanout) detachLocked(w io.Writer) {
	if client, ok := f.clients[w]; ok {
		close(client.detached)
		delete(f.clients, w)
	}
}

func (f *fanout) write(p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for w, client := range f.clients {
		select {
		case client.chunks <- bytes.Clone(p):
		default:
			log.Printf("attached client fell %d chunks behind the container's output; detaching it", fanoutBacklog)
			f.detachLocked(w)
		}
	}
}
