// Package fault implements the "fault" and "status" subcommands, which ask a
// running cluster's supervisor or kubelet over their Unix sockets.
package fault

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mconv.test/cluster/internal/state"
)

const usage = `usage: localcluster fault --state DIR HOOK [ARGS]
hooks:
  restart-apiserver           stop the API server and start it again
  cut-connections             reset every open client connection to the API server
  kill-pod NAMESPACE NAME     SIGKILL the pod's container processes
  node-notready NODE          make NODE report Ready=False
  node-ready NODE             make NODE report Ready=True again`

// Run sends one fault hook to the cluster in stateDir and returns the reply.
func Run(stateDir string, args []string) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("missing fault hook\n%s", usage)
	}
	layout := state.Layout{Root: stateDir}
	hook, rest := args[0], args[1:]

	switch {
	case hook == "restart-apiserver" && len(rest) == 0, hook == "cut-connections" && len(rest) == 0:
		return post(layout.Control(), "/fault/"+hook)
	case hook == "kill-pod" && len(rest) == 2:
		return post(layout.KubeletControl(), "/fault/kill-pod/"+url.PathEscape(rest[0])+"/"+url.PathEscape(rest[1]))
	case (hook == "node-notready" || hook == "node-ready") && len(rest) == 1:
		return post(layout.KubeletControl(), "/fault/"+hook+"/"+url.PathEscape(rest[0]))
	default:
		return "", fmt.Errorf("invalid fault hook %q\n%s", strings.Join(args, " "), usage)
	}
}

// Status returns the supervisor's list of components as JSON.
func Status(stateDir string) (string, error) {
	return request(state.Layout{Root: stateDir}.Control(), http.MethodGet, "/status")
}

func post(socket, path string) (string, error) {
	return request(socket, http.MethodPost, path)
}

func request(socket, method, path string) (string, error) {
	client := &http.Client{
		Timeout: 3 * time.Minute,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}},
	}
	req, err := http.NewRequest(method, "http://localcluster"+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("contacting the cluster at %s (is it running?): %w", socket, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s", strings.TrimSpace(string(body)))
	}
	return string(body), nil
}
