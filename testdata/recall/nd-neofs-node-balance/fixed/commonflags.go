// Recall case nd-neofs-node-balance
// Source: github.com/nspcc-dev/neofs-node commit 42ab0199e1ad4a897a487f8b80e9c34768068d14 (cmd/neofs-cli/internal/commonflags/flags.go)
// Link: https://github.com/nspcc-dev/neofs-node/commit/42ab0199e1ad4a897a487f8b80e9c34768068d14
// Bug: The 'accounting balance' command builds its context with context.Background(), so the SDK client dial and the BalanceGet RPC run with no deadline and ignore the --timeout flag.
// Fix: The command takes its context from commonflags.GetCommandContext(cmd) (cmd context plus the --timeout flag) and registers the timeout flag.
// Rule: nodeadline
package accounting

import (
	"context"
	"io"
	"os"
	"time"
)

// Flag names (stand-ins for commonflags constants).
const (
	RPC     = "rpc-endpoint"
	Timeout = "timeout"
	Verbose = "verbose"
)

// viper stand-in: a process-wide configuration map filled from flags.
var viperValues = map[string]string{}

func viperIsSet(key string) bool { _, ok := viperValues[key]; return ok }

func viperGetString(key string) string { return viperValues[key] }

func viperGetDuration(key string) time.Duration {
	d, _ := time.ParseDuration(viperValues[key])
	return d
}

// Command is a minimal stand-in for cobra.Command.
type Command struct {
	ctx    context.Context
	flags  map[string]string
	RunE   func(cmd *Command, args []string) error
	output io.Writer
}

func (c *Command) Context() context.Context { return c.ctx }

func (c *Command) Println(a ...any) {
	w := c.output
	if w == nil {
		w = os.Stdout
	}
	for i, v := range a {
		if i > 0 {
			io.WriteString(w, " ")
		}
		if s, ok := v.(string); ok {
			io.WriteString(w, s)
		}
	}
	io.WriteString(w, "\n")
}

// GetCommandContext returns cmd context with timeout specified in 'timeout' flag
// if the flag is set.
func GetCommandContext(cmd *Command) (context.Context, context.CancelFunc) {
	return getCommandContext(cmd, viperGetDuration(Timeout))
}

func getCommandContext(cmd *Command, timeout time.Duration) (context.Context, context.CancelFunc) {
	parentCtx := cmd.Context()
	if parentCtx == nil {
		parentCtx = context.Background()
	}

	if timeout <= 0 {
		return parentCtx, func() {}
	}

	return context.WithTimeout(parentCtx, timeout)
}
