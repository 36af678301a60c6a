// Recall case nd-helm-httpgetter
// Source: github.com/helm/helm commit 2011a3191c814ed976b05cb44aa7e9277383422c (pkg/getter/getter.go)
// Link: https://github.com/helm/helm/pull/12203
// Bug: ChartRepository.DownloadIndexFile -> HTTPGetter.Get -> http.Client{Timeout: 0}.Do(http.NewRequest(...)) has no timeout and no ctx, so `helm repo add/update` hangs forever on a stalled repo server.
// Fix: the http/https Provider.New appends a default WithTimeout(120s) option, so the getter http.Client gets a Timeout.
// Rule: nodeadline

package getter

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// options are generic parameters to be provided to the getter during instantiation.
type options struct {
	url                string
	username           string
	password           string
	passCredentialsAll bool
	userAgent          string
	timeout            time.Duration
	transport          *http.Transport
}

// Option allows specifying various settings configurable by the user for overriding the defaults
// used when performing Get operations with the Getter.
type Option func(*options)

// WithURL informs the getter the server name that will be used when fetching objects.
func WithURL(url string) Option {
	return func(opts *options) {
		opts.url = url
	}
}

// WithBasicAuth sets the request's Authorization header to use the provided credentials
func WithBasicAuth(username, password string) Option {
	return func(opts *options) {
		opts.username = username
		opts.password = password
	}
}

func WithPassCredentialsAll(pass bool) Option {
	return func(opts *options) {
		opts.passCredentialsAll = pass
	}
}

// WithTimeout sets the timeout for requests
func WithTimeout(timeout time.Duration) Option {
	return func(opts *options) {
		opts.timeout = timeout
	}
}

// Getter is an interface to support GET to the specified URL.
type Getter interface {
	// Get file content by url string
	Get(url string, options ...Option) (*bytes.Buffer, error)
}

// Constructor is the function for every getter which creates a specific instance
// according to the configuration
type Constructor func(options ...Option) (Getter, error)

// Provider represents any getter and the schemes that it supports.
type Provider struct {
	Schemes []string
	New     Constructor
}

// Provides returns true if the given scheme is supported by this Provider.
func (p Provider) Provides(scheme string) bool {
	for _, i := range p.Schemes {
		if i == scheme {
			return true
		}
	}
	return false
}

// Providers is a collection of Provider objects.
type Providers []Provider

// ByScheme returns a Provider that handles the given scheme.
//
// If no provider handles this scheme, this will return an error.
func (p Providers) ByScheme(scheme string) (Getter, error) {
	for _, pp := range p {
		if pp.Provides(scheme) {
			return pp.New()
		}
	}
	return nil, fmt.Errorf("scheme %q not supported", scheme)
}

var httpProvider = Provider{
	Schemes: []string{"http", "https"},
	New:     NewHTTPGetter,
}

// All finds all of the registered getters as a list of Provider instances.
func All() Providers {
	return Providers{httpProvider}
}
