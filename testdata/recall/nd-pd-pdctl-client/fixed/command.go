// Recall case nd-pd-pdctl-client
// Source: github.com/tikv/pd commit 6720d3598566badd121538f86a9df19adf161d07 (tools/pd-ctl/pdctl/command/global.go)
// Link: https://github.com/tikv/pd/commit/6720d3598566badd121538f86a9df19adf161d07   (PR https://github.com/tikv/pd/pull/1515)
// Bug: pd-ctl's dialClient is &http.Client{} with no Timeout and getRequest builds http.NewRequest without a context, so doRequest/dail and postJSON hang forever on an unresponsive PD.
// Fix: dialClient (and the TLS client built in InitHTTPSClient) get Timeout: 30 * time.Second.
// Rule: nodeadline
package command

import "fmt"

// Command stands in for *cobra.Command: it carries the --pd flag value and prints.
type Command struct {
	PD string
}

// Println prints to the command output.
func (c *Command) Println(i ...interface{}) {
	fmt.Println(i...)
}

// Execute dispatches to the pd-ctl command bodies above.
func Execute(cmd *Command, name string, args []string) {
	switch name {
	case "ping":
		showPingCommandFunc(cmd, args)
	case "config-set":
		setConfigCommandFunc(cmd, args)
	}
}
