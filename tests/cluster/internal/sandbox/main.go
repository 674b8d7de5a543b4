package sandbox

import (
	"fmt"
	"os"
)

// Main runs the "shim" subcommand: "shim sandbox SPEC" or "shim enter ...".
func Main(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: shim sandbox SPEC | shim enter [OPTIONS] -- COMMAND")
	}
	switch args[0] {
	case "sandbox":
		if len(args) != 2 {
			return fmt.Errorf("usage: shim sandbox SPEC")
		}
		return runSandbox(args[1])
	case "enter":
		if err := runEnter(args[1:]); err != nil {
			fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
			os.Exit(ExitEnterFailed)
		}
		return nil
	default:
		return fmt.Errorf("unknown shim command %q", args[0])
	}
}
