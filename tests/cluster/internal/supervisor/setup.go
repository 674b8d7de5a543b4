package supervisor

import (
	"fmt"
	"net"
	"os"

	"mconv.test/cluster/internal/catalog"
	"mconv.test/cluster/internal/kubeconfig"
	"mconv.test/cluster/internal/pki"
	"mconv.test/cluster/internal/state"
)

// Users are the people who use the cluster through the fault proxy; each
// gets STATE/NAME.kubeconfig. alice and bob share the group mconv-users,
// which manifests/rbac.yaml grants its permissions to.
var users = []pki.Identity{
	{File: "admin", CommonName: "admin", Organization: []string{"system:masters"}},
	{File: "alice", CommonName: "alice", Organization: []string{"mconv-users"}},
	{File: "bob", CommonName: "bob", Organization: []string{"mconv-users"}},
}

// componentUsers are the identities of processes that talk to the API server
// directly; each gets pki/NAME.kubeconfig.
var componentUsers = []pki.Identity{
	{File: "kube-controller-manager", CommonName: "system:kube-controller-manager"},
	{File: "kube-scheduler", CommonName: "system:kube-scheduler"},
	{File: "provisioner", CommonName: "system:localcluster:provisioner"},
}

// prepare creates the state folder, certificates, ports and kubeconfigs.
func prepare(stateDir, repoRoot, executable string) (*state.Cluster, error) {
	layout := state.Layout{Root: stateDir}
	for _, dir := range []string{layout.Logs(), layout.Run(), layout.Pods(), layout.Volumes(), layout.Etcd()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating state folder: %w", err)
		}
	}
	if err := os.Chmod(layout.Etcd(), 0o700); err != nil {
		return nil, fmt.Errorf("restricting etcd folder: %w", err)
	}

	cluster := &state.Cluster{
		StateDir:   stateDir,
		RepoRoot:   repoRoot,
		Catalog:    repoRoot + "/gpu-catalog.yaml",
		Images:     repoRoot + "/tests/cluster/images.yaml",
		Executable: executable,
	}
	nodes, err := catalog.Load(cluster.Catalog)
	if err != nil {
		return nil, err
	}
	if err := choosePorts(cluster, nodes); err != nil {
		return nil, err
	}
	if err := writeCertificates(layout, nodes); err != nil {
		return nil, err
	}
	if err := writeKubeconfigs(cluster, nodes); err != nil {
		return nil, err
	}
	return cluster, cluster.Save()
}

func writeCertificates(layout state.Layout, nodes []catalog.Node) error {
	ca, err := pki.LoadOrCreateCA(layout.PKI())
	if err != nil {
		return err
	}
	if err := pki.EnsureKeyPair(layout.PKI(), "sa"); err != nil {
		return err
	}

	loopback := []net.IP{net.ParseIP("127.0.0.1")}
	ids := []pki.Identity{
		{File: "etcd", CommonName: "etcd", DNSNames: []string{"localhost"}, IPs: loopback},
		{File: "apiserver-etcd-client", CommonName: "kube-apiserver-etcd-client"},
		{File: "front-proxy-client", CommonName: "front-proxy-client"},
		{File: "apiserver-kubelet-client", CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
		{File: "kube-apiserver", CommonName: "kube-apiserver", IPs: append(loopback, net.ParseIP("10.96.0.1")), DNSNames: []string{
			"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
		}},
		kubeletServing(nodes),
	}
	ids = append(ids, users...)
	ids = append(ids, componentUsers...)
	for _, node := range nodes {
		ids = append(ids, nodeClient(node.Name))
	}

	for _, id := range ids {
		if err := ca.Issue(id); err != nil {
			return err
		}
	}
	return nil
}

// kubeletServing is the one serving certificate of every simulated kubelet.
func kubeletServing(nodes []catalog.Node) pki.Identity {
	names := []string{"localhost"}
	for _, node := range nodes {
		names = append(names, node.Name)
	}
	return pki.Identity{File: "kubelet-serving", CommonName: "localcluster-kubelet", DNSNames: names, IPs: []net.IP{net.ParseIP("127.0.0.1")}}
}

// nodeClient is the identity that the Node authorizer and the NodeRestriction
// admission plugin expect of a kubelet.
func nodeClient(node string) pki.Identity {
	return pki.Identity{File: "node-" + node, CommonName: "system:node:" + node, Organization: []string{"system:nodes"}}
}

func writeKubeconfigs(c *state.Cluster, nodes []catalog.Node) error {
	layout := c.Layout()
	for _, user := range users {
		spec := kubeconfig.Spec{Server: c.ProxyURL(), User: user.File, Namespace: "default"}
		if err := writeKubeconfig(layout, layout.UserKubeconfig(user.File), user.File, spec); err != nil {
			return err
		}
	}

	direct := append([]pki.Identity{}, componentUsers...)
	direct = append(direct, pki.Identity{File: "admin"})
	for _, node := range nodes {
		direct = append(direct, nodeClient(node.Name))
	}
	for _, id := range direct {
		spec := kubeconfig.Spec{Server: c.APIServerURL(), User: id.File}
		if err := writeKubeconfig(layout, layout.ComponentKubeconfig(id.File), id.File, spec); err != nil {
			return err
		}
	}
	return nil
}

func writeKubeconfig(layout state.Layout, path, certName string, spec kubeconfig.Spec) error {
	spec.CAFile = layout.Cert("ca")
	spec.CertFile = layout.Cert(certName)
	spec.KeyFile = layout.Key(certName)
	return kubeconfig.Write(path, spec)
}

// choosePorts picks free loopback ports for every listener. Ports are chosen
// anew on each start, so several clusters can run side by side.
func choosePorts(c *state.Cluster, nodes []catalog.Node) error {
	ports, err := freePorts(6 + len(nodes))
	if err != nil {
		return err
	}
	c.EtcdPort, c.EtcdPeerPort, c.APIServerPort = ports[0], ports[1], ports[2]
	c.ProxyPort, c.ControllerPort, c.SchedulerPort = ports[3], ports[4], ports[5]
	c.KubeletPorts = map[string]int{}
	for i, node := range nodes {
		c.KubeletPorts[node.Name] = ports[6+i]
	}
	return nil
}

// freePorts holds n listeners open at once, so the ports differ, then closes
// them. NOTE: another program may take a port before its component binds it;
// start then fails with "address already in use" in that component's log.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("choosing a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
