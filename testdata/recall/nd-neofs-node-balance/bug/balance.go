// Recall case nd-neofs-node-balance
// Source: github.com/nspcc-dev/neofs-node commit 42ab0199e1ad4a897a487f8b80e9c34768068d14 (cmd/neofs-cli/modules/accounting/balance.go)
// Link: https://github.com/nspcc-dev/neofs-node/commit/42ab0199e1ad4a897a487f8b80e9c34768068d14
// Bug: The 'accounting balance' command builds its context with context.Background(), so the SDK client dial and the BalanceGet RPC run with no deadline and ignore the --timeout flag.
// Fix: The command takes its context from commonflags.GetCommandContext(cmd) (cmd context plus the --timeout flag) and registers the timeout flag.
// Rule: nodeadline
package accounting

import (
	"context"
	"fmt"
	"strconv"
)

const (
	ownerFlag = "owner"
)

var accountingBalanceCmd = &Command{
	flags: map[string]string{},
	RunE: func(cmd *Command, _ []string) error {
		balanceOwner := cmd.flags[ownerFlag]
		if balanceOwner == "" {
			return fmt.Errorf("can't decode owner ID wallet address")
		}

		ctx := context.Background()
		cli, err := GetSDKClientByFlag(ctx, RPC)
		if err != nil {
			return err
		}

		var prm BalanceOfPrm
		prm.SetClient(cli)
		prm.SetAccount(balanceOwner)

		res, err := BalanceOf(ctx, prm)
		if err != nil {
			return fmt.Errorf("rpc error: %w", err)
		}

		// print to stdout
		cmd.Println(strconv.FormatInt(res.Balance(), 10))
		return nil
	},
}

// bindFlags is the stand-in for the PersistentPreRun of the accounting root
// command, which binds the command flags into viper.
func bindFlags(cmd *Command) {
	for _, name := range []string{RPC} {
		if v, ok := cmd.flags[name]; ok {
			viperValues[name] = v
		}
	}
}
