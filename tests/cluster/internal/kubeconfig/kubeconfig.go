// Package kubeconfig writes kubeconfig files for the cluster's users and
// components, with the CA, certificate and key embedded as data.
package kubeconfig

import (
	"fmt"
	"os"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Spec is what one kubeconfig contains.
type Spec struct {
	Server   string
	CAFile   string
	CertFile string
	KeyFile  string
	User     string
	// Namespace is the context's default namespace.
	Namespace string
}

// Write writes a kubeconfig with one cluster, user and context, all named
// "localcluster" except the user, which keeps its own name.
func Write(path string, spec Spec) error {
	ca, err := os.ReadFile(spec.CAFile)
	if err != nil {
		return fmt.Errorf("reading CA for %s: %w", path, err)
	}
	cert, err := os.ReadFile(spec.CertFile)
	if err != nil {
		return fmt.Errorf("reading certificate for %s: %w", path, err)
	}
	key, err := os.ReadFile(spec.KeyFile)
	if err != nil {
		return fmt.Errorf("reading key for %s: %w", path, err)
	}

	config := clientcmdapi.NewConfig()
	config.Clusters["localcluster"] = &clientcmdapi.Cluster{
		Server:                   spec.Server,
		CertificateAuthorityData: ca,
	}
	config.AuthInfos[spec.User] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cert,
		ClientKeyData:         key,
	}
	config.Contexts["localcluster"] = &clientcmdapi.Context{
		Cluster:   "localcluster",
		AuthInfo:  spec.User,
		Namespace: spec.Namespace,
	}
	config.CurrentContext = "localcluster"

	if err := clientcmd.WriteToFile(*config, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}
