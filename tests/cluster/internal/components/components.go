// Package components builds the command line of each process that the
// supervisor runs. Every process is the localcluster binary itself, started
// with the component's subcommand.
package components

import (
	"fmt"

	"mconv.test/cluster/internal/state"
)

// Component is one process of the cluster.
type Component struct {
	// Name is the subcommand and the base name of the log file under logs/.
	Name string
	Args []string
}

// ServiceCIDR is the range of ClusterIPs. Nothing routes to these addresses:
// pods reach the API server on 127.0.0.1 through the fault proxy.
const ServiceCIDR = "10.96.0.0/16"

// Etcd returns the etcd component.
func Etcd(c *state.Cluster) Component {
	l := c.Layout()
	return Component{Name: "etcd", Args: []string{
		"--data-dir=" + l.Etcd(),
		fmt.Sprintf("--client-port=%d", c.EtcdPort),
		fmt.Sprintf("--peer-port=%d", c.EtcdPeerPort),
		"--cert-file=" + l.Cert("etcd"),
		"--key-file=" + l.Key("etcd"),
		"--ca-file=" + l.Cert("ca"),
	}}
}

// APIServer returns the kube-apiserver component.
func APIServer(c *state.Cluster) Component {
	l := c.Layout()
	return Component{Name: "kube-apiserver", Args: []string{
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", c.APIServerPort),
		"--advertise-address=127.0.0.1",
		// The default reconciler writes the advertise address into the
		// "kubernetes" Endpoints, and Endpoints reject loopback addresses.
		"--endpoint-reconciler-type=none",
		fmt.Sprintf("--etcd-servers=https://127.0.0.1:%d", c.EtcdPort),
		"--etcd-cafile=" + l.Cert("ca"),
		"--etcd-certfile=" + l.Cert("apiserver-etcd-client"),
		"--etcd-keyfile=" + l.Key("apiserver-etcd-client"),
		"--tls-cert-file=" + l.Cert("kube-apiserver"),
		"--tls-private-key-file=" + l.Key("kube-apiserver"),
		"--client-ca-file=" + l.Cert("ca"),
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		"--allow-privileged=true",
		"--service-cluster-ip-range=" + ServiceCIDR,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + l.PKI() + "/sa.pub",
		"--service-account-signing-key-file=" + l.PKI() + "/sa.key",
		"--kubelet-client-certificate=" + l.Cert("apiserver-kubelet-client"),
		"--kubelet-client-key=" + l.Key("apiserver-kubelet-client"),
		"--kubelet-certificate-authority=" + l.Cert("ca"),
		"--kubelet-preferred-address-types=InternalIP",
		// The front proxy settings let aggregated API servers trust the API
		// server. Without them the ConfigMap
		// kube-system/extension-apiserver-authentication lacks its CA, so every
		// component logs errors about it.
		"--requestheader-client-ca-file=" + l.Cert("ca"),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + l.Cert("front-proxy-client"),
		"--proxy-client-key-file=" + l.Key("front-proxy-client"),
		"--profiling=false",
		"--v=1",
	}}
}

// ControllerManager returns the kube-controller-manager component with all
// of its default controllers, among them job, garbagecollector,
// ttl-after-finished, persistentvolume-binder, serviceaccount-token and
// namespace.
func ControllerManager(c *state.Cluster) Component {
	l := c.Layout()
	kubeconfig := l.ComponentKubeconfig("kube-controller-manager")
	return Component{Name: "kube-controller-manager", Args: []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", c.ControllerPort),
		"--leader-elect=false",
		"--controllers=*",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + l.PKI() + "/sa.key",
		"--root-ca-file=" + l.Cert("ca"),
		"--cluster-signing-cert-file=" + l.Cert("ca"),
		"--cluster-signing-key-file=" + l.Key("ca"),
		"--service-cluster-ip-range=" + ServiceCIDR,
		"--profiling=false",
		"--v=1",
	}}
}

// Scheduler returns the kube-scheduler component with its default profile.
func Scheduler(c *state.Cluster) Component {
	kubeconfig := c.Layout().ComponentKubeconfig("kube-scheduler")
	return Component{Name: "kube-scheduler", Args: []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", c.SchedulerPort),
		"--leader-elect=false",
		"--profiling=false",
		"--v=1",
	}}
}

// Kubelet returns the node agent that simulates every node.
func Kubelet(c *state.Cluster) Component {
	return Component{Name: "kubelet", Args: []string{"--state=" + c.StateDir}}
}

// Provisioner returns the dynamic provisioner of the default StorageClass.
func Provisioner(c *state.Cluster) Component {
	return Component{Name: "provisioner", Args: []string{"--state=" + c.StateDir}}
}
