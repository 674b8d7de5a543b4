package kubelet

import (
	"fmt"
	"log"
	"net/http"
)

// replyError logs a rejected kubelet API or fault hook request with its path,
// then sends the message to the client.
func replyError(w http.ResponseWriter, r *http.Request, code int, message string) {
	log.Printf("kubelet: %s %s: %d %s", r.Method, r.URL.Path, code, message)
	http.Error(w, message, code)
}

// replyErrorf is replyError with a format.
func replyErrorf(w http.ResponseWriter, r *http.Request, code int, format string, args ...any) {
	replyError(w, r, code, fmt.Sprintf(format, args...))
}
