// Recall case nd-forta-core-go-agentlogs
// Source: github.com/forta-network/forta-core-go commit 5bdded2f7b51d6a54d17e3a228629dc932329f77 (utils/httpclient/client.go)
// Link: https://github.com/forta-network/forta-core-go/commit/5bdded2f7b51d6a54d17e3a228629dc932329f77
// Bug: client.SendLogs posts the agent logs with http.DefaultClient.Do(req) on a request built without a context; DefaultClient has no Timeout, so a stalled logs API blocks the caller forever.
// Fix: Send the request through a shared httpclient.Default (*http.Client with Timeout: 30s) instead of http.DefaultClient.
// Rule: nodeadline
package agentlogs

import (
	"net/http"
	"time"
)

// httpclientDefault stands in for utils/httpclient.Default: the default HTTP
// client to use.
var httpclientDefault = &http.Client{
	Timeout: time.Second * 30,
}
