// Package state describes the state folder of one local cluster: where each
// component keeps its files, and the ports chosen at start.
package state

import "path/filepath"

// Layout names the files and folders under one state folder.
type Layout struct {
	Root string
}

func (l Layout) PKI() string      { return filepath.Join(l.Root, "pki") }
func (l Layout) Logs() string     { return filepath.Join(l.Root, "logs") }
func (l Layout) Run() string      { return filepath.Join(l.Root, "run") }
func (l Layout) Etcd() string     { return filepath.Join(l.Root, "etcd") }
func (l Layout) Pods() string     { return filepath.Join(l.Root, "pods") }
func (l Layout) Volumes() string  { return filepath.Join(l.Root, "volumes") }
func (l Layout) Cluster() string  { return filepath.Join(l.Run(), "cluster.json") }
func (l Layout) Status() string   { return filepath.Join(l.Run(), "status") }
func (l Layout) PIDFile() string  { return filepath.Join(l.Run(), "supervisor.pid") }
func (l Layout) LockFile() string { return filepath.Join(l.Run(), "supervisor.lock") }
func (l Layout) Control() string  { return filepath.Join(l.Run(), "supervisor.sock") }
func (l Layout) KubeletControl() string {
	return filepath.Join(l.Run(), "kubelet.sock")
}

// Log returns the log file of one component.
func (l Layout) Log(component string) string {
	return filepath.Join(l.Logs(), component+".log")
}

// UserKubeconfig returns the kubeconfig of a user: admin, alice or bob.
func (l Layout) UserKubeconfig(user string) string {
	return filepath.Join(l.Root, user+".kubeconfig")
}

// ComponentKubeconfig returns the kubeconfig that one control-plane component
// or node agent uses. These talk to the API server directly, not through the
// fault proxy, so that cutting client connections leaves the cluster running.
func (l Layout) ComponentKubeconfig(component string) string {
	return filepath.Join(l.PKI(), component+".kubeconfig")
}

// Cert and Key return the paths that pki.CA.Issue writes for a base name.
func (l Layout) Cert(name string) string { return filepath.Join(l.PKI(), name+".crt") }
func (l Layout) Key(name string) string  { return filepath.Join(l.PKI(), name+".key") }
