// Command localcluster is every process of the local test cluster in one
// binary, so the Kubernetes code is linked once. The first argument picks the
// component; run as "kubectl" (through a link of that name) it is kubectl.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"mconv.test/cluster/internal/etcd"
	"mconv.test/cluster/internal/fault"
	"mconv.test/cluster/internal/kubelet"
	"mconv.test/cluster/internal/provisioner"
	"mconv.test/cluster/internal/sandbox"
	"mconv.test/cluster/internal/supervisor"
)

// subcommands maps each subcommand to its entry point, which returns the
// process's exit status.
var subcommands = map[string]func(args []string) int{
	"etcd":                    withError(etcd.Main),
	"kube-apiserver":          withCobra(apiserver.NewAPIServerCommand),
	"kube-controller-manager": withCobra(controllermanager.NewControllerManagerCommand),
	"kube-scheduler":          withCobra(func() *cobra.Command { return scheduler.NewSchedulerCommand() }),
	"kubelet":                 withError(kubelet.Main),
	"provisioner":             withError(provisioner.Main),
	"shim":                    withError(sandbox.Main),
	"supervise":               withError(supervise),
	"fault":                   withError(runFault),
	"status":                  withError(status),
}

func main() {
	if filepath.Base(os.Args[0]) == "kubectl" {
		os.Exit(runKubectl())
	}
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: localcluster COMMAND [ARGS]\ncommands: %s\n", strings.Join(commandNames(), ", "))
		os.Exit(2)
	}
	if os.Args[1] == "kubectl" {
		os.Args = os.Args[1:]
		os.Exit(runKubectl())
	}
	run, ok := subcommands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "localcluster: unknown command %q; commands: %s\n", os.Args[1], strings.Join(commandNames(), ", "))
		os.Exit(2)
	}
	os.Exit(run(os.Args[2:]))
}

func runKubectl() int {
	command := kubectlcmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		kubectlutil.CheckErr(err)
	}
	return 0
}

func withCobra(newCommand func() *cobra.Command) func([]string) int {
	return func(args []string) int {
		command := newCommand()
		command.SetArgs(args)
		return cli.Run(command)
	}
}

func withError(run func([]string) error) func([]string) int {
	return func(args []string) int {
		if err := run(args); err != nil {
			fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
			return 1
		}
		return 0
	}
}

func commandNames() []string {
	names := []string{"kubectl"}
	for name := range subcommands {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func supervise(args []string) error {
	flags := flag.NewFlagSet("supervise", flag.ContinueOnError)
	stateDir := flags.String("state", "", "state folder")
	repoRoot := flags.String("repo", "", "repository root, which holds gpu-catalog.yaml")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *stateDir == "" || *repoRoot == "" {
		return fmt.Errorf("supervise needs --state and --repo")
	}
	return supervisor.Main(*stateDir, *repoRoot)
}

func runFault(args []string) error {
	flags := flag.NewFlagSet("fault", flag.ContinueOnError)
	stateDir := flags.String("state", "", "state folder of the running cluster")
	if err := flags.Parse(args); err != nil {
		return err
	}
	reply, err := fault.Run(*stateDir, flags.Args())
	if err != nil {
		return err
	}
	fmt.Print(reply)
	return nil
}

func status(args []string) error {
	flags := flag.NewFlagSet("status", flag.ContinueOnError)
	stateDir := flags.String("state", "", "state folder of the running cluster")
	if err := flags.Parse(args); err != nil {
		return err
	}
	reply, err := fault.Status(*stateDir)
	if err != nil {
		return err
	}
	fmt.Print(reply)
	return nil
}
