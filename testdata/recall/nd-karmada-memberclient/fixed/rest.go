// Recall case nd-karmada-memberclient
// Source: github.com/karmada-io/karmada commit dae08194ad32068472330e48feca45c36a11bc19 (pkg/util/membercluster_client.go)
// Link: https://github.com/karmada-io/karmada/commit/dae08194ad32068472330e48feca45c36a11bc19
// Bug: BuildClusterConfig builds the member-cluster rest.Config without Timeout, so the http.Client behind NewClusterClientSet has no timeout and ClusterStatusController.syncClusterStatus -> getClusterHealthStatus -> healthEndpointCheck(...).Do(context.TODO()) can hang forever on an unresponsive member apiserver.
// Fix: BuildClusterConfig sets rest.Config.Timeout = defaultTimeout (32s), bounding every request made by the member cluster clients.
// Rule: nodeadline
package util

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Config mirrors k8s.io/client-go/rest.Config (only the fields used here).
type Config struct {
	Host        string
	BearerToken string

	// The maximum length of time to wait before giving up on a server request. A value of zero means no timeout.
	Timeout time.Duration
}

// HTTPClientFor mirrors rest.HTTPClientFor: the returned client's Timeout is config.Timeout.
func HTTPClientFor(config *Config) *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport,
		Timeout:   config.Timeout,
	}
}

// Clientset mirrors kubernetes.Clientset (discovery part only).
type Clientset struct {
	discovery *DiscoveryClient
}

// NewForConfigOrDie mirrors kubernetes.NewForConfigOrDie.
func NewForConfigOrDie(c *Config) *Clientset {
	return &Clientset{discovery: &DiscoveryClient{restClient: &RESTClient{
		base:   c.Host,
		token:  c.BearerToken,
		Client: HTTPClientFor(c),
	}}}
}

// Discovery returns the discovery client.
func (c *Clientset) Discovery() *DiscoveryClient { return c.discovery }

// DiscoveryClient mirrors discovery.DiscoveryClient.
type DiscoveryClient struct {
	restClient *RESTClient
}

// RESTClient returns the underlying REST client.
func (d *DiscoveryClient) RESTClient() *RESTClient { return d.restClient }

// RESTClient mirrors rest.RESTClient.
type RESTClient struct {
	base   string
	token  string
	Client *http.Client
}

// Get starts a GET request.
func (c *RESTClient) Get() *Request { return &Request{c: c, verb: http.MethodGet} }

// Request mirrors rest.Request.
type Request struct {
	c    *RESTClient
	verb string
	path string
}

// AbsPath sets the absolute path of the request.
func (r *Request) AbsPath(p string) *Request {
	r.path = p
	return r
}

// Do sends the request with ctx using the RESTClient's http.Client.
func (r *Request) Do(ctx context.Context) Result {
	req, err := http.NewRequestWithContext(ctx, r.verb, r.c.base+r.path, http.NoBody)
	if err != nil {
		return Result{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+r.c.token)
	resp, err := r.c.Client.Do(req)
	if err != nil {
		return Result{err: err}
	}
	defer resp.Body.Close()
	res := Result{statusCode: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.err = fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
	return res
}

// Result mirrors rest.Result.
type Result struct {
	statusCode int
	err        error
}

// StatusCode stores the response status code in code.
func (r Result) StatusCode(code *int) Result {
	*code = r.statusCode
	return r
}

// Error returns the request error.
func (r Result) Error() error { return r.err }

// Store replaces the controller-runtime cache client that serves Cluster and Secret objects.
type Store struct {
	mu       sync.Mutex
	Clusters map[string]*Cluster
	Secrets  map[string]*Secret
}

// GetCluster returns the named cluster.
func (s *Store) GetCluster(name string) (*Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.Clusters[name]
	if !ok {
		return nil, fmt.Errorf("cluster %s not found", name)
	}
	return c, nil
}

// GetSecret returns the named secret.
func (s *Store) GetSecret(namespace, name string) (*Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.Secrets[namespace+"/"+name]
	if !ok {
		return nil, fmt.Errorf("secret %s/%s not found", namespace, name)
	}
	return sec, nil
}
