// Recall case uw-clientgo-retrybackoff
// Source: github.com/kubernetes/client-go commit 7aa9904196bfe2f610273550f8abf07e3ea3a16b (rest/client.go)
// Link: https://github.com/kubernetes/client-go/commit/7aa9904196bfe2f610273550f8abf07e3ea3a16b
// Bug: Request.request(ctx) -> withRetry.Before(ctx, r) -> request.backoff.Sleep(delay) -> NoBackoff.Sleep = time.Sleep(d); the Retry-After/backoff sleep between attempts ignores ctx cancellation and deadline.
// Fix: BackoffManagerWithContext; Before calls request.backoff.SleepWithContext(ctx, delay), which selects on ctx.Done() and a timer.
// Rule: uncancellablewait

package rest

import (
	"net/http"
	"net/url"
)

// RESTClient imposes common Kubernetes API conventions on a set of resource paths.
type RESTClient struct {
	// base is the root URL for all invocations of the client
	base *url.URL

	// creates BackoffManager that is passed to requests.
	createBackoffMgr func() BackoffManager

	// Set specific behavior of the client.  If not set http.DefaultClient will be used.
	Client *http.Client
}

// NewRESTClient creates a new RESTClient. The http.Client is built by the caller
// from its rest.Config (HTTPClientFor).
func NewRESTClient(baseURL *url.URL, client *http.Client) *RESTClient {
	return &RESTClient{
		base:             baseURL,
		createBackoffMgr: readExpBackoffConfig,
		Client:           client,
	}
}

// readExpBackoffConfig handles the internal logic of determining what the
// backoff policy is.  By default if no information is available, NoBackoff.
// (The KUBE_CLIENT_BACKOFF_* URLBackoff branch is cut from this reduction.)
func readExpBackoffConfig() BackoffManager {
	return &NoBackoff{}
}

// Get begins a GET request.
func (c *RESTClient) Get() *Request {
	return NewRequest(c).Verb("GET")
}
