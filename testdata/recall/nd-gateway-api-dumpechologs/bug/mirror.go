// Recall case nd-gateway-api-dumpechologs
// Source: github.com/kubernetes-sigs/gateway-api commit 1a74256ae4316a615c4641ccec0a0c6853db0e6e (conformance/utils/kubernetes/logs.go)
// Link: https://github.com/kubernetes-sigs/gateway-api/commit/1a74256ae4316a615c4641ccec0a0c6853db0e6e
// Bug: DumpEchoLogs lists pods and streams pod logs from the API server with context.TODO(), so both network calls have no deadline and ignore the caller's test context.
// Fix: DumpEchoLogs takes a ctx parameter (callers pass t.Context()) and threads it into List and the log Stream.
// Rule: nodeadline
package kubernetes

import (
	"strings"
	"testing"
	"time"
)

// ExpectMirroredRequest searches the mirror pod logs for the mirrored request
// (reduced from conformance/utils/http/mirror.go).
func ExpectMirroredRequest(t *testing.T, c *Client, ns, name, path string, assertionStart time.Time) bool {
	logs, err := DumpEchoLogs(ns, name, c, assertionStart)
	if err != nil {
		t.Logf(`Couldn't read "%s/%s" logs: %v`, ns, name, err)
		return false
	}
	for _, l := range logs {
		if strings.Contains(l, path) {
			return true
		}
	}
	return false
}
