// Recall case nd-autoscaler-vmsslist
// Source: github.com/kubernetes/autoscaler commit 3891852eec5e40730790f53bfe9d00e209f35c4e (cluster-autoscaler/cloudprovider/azure/azure_util.go)
// Link: https://github.com/kubernetes/autoscaler/commit/3891852eec5e40730790f53bfe9d00e209f35c4e
// Bug: The VMSS List GET calls run with a context from getContextWithCancel (context.Background with only a cancel func), so a hung Azure API request blocks the autoscaler main loop with no deadline.
// Fix: The GET calls use getContextWithTimeout(3 * time.Minute) instead.
// Rule: nodeadline
package azure

import "context"

func getContextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
