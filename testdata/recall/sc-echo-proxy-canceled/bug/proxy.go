// Recall case sc-echo-proxy-canceled
// Source: github.com/labstack/echo commit 01fbe2a035d3586925c5d82f5beac694a919ad15 (middleware/proxy_1_11.go)
// Link: https://github.com/labstack/echo/pull/1789
// Bug: proxyHTTP's ReverseProxy.ErrorHandler turns a client cancellation (context.Canceled) into a 502 "remote unreachable" HTTPError, reporting cancellation as an upstream failure.
// Fix: ErrorHandler checks for context.Canceled / "operation was canceled" and reports 499 client-closed-request instead of 502.
// Rule: swallowcancel
package middleware

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// HTTPError represents an error that occurred while handling a request (echo.HTTPError).
type HTTPError struct {
	Code     int
	Message  interface{}
	Internal error // Stores the error returned by an external dependency
}

// NewHTTPError creates a new HTTPError instance.
func NewHTTPError(code int, message ...interface{}) *HTTPError {
	he := &HTTPError{Code: code, Message: http.StatusText(code)}
	if len(message) > 0 {
		he.Message = message[0]
	}
	return he
}

// Error makes it compatible with `error` interface.
func (he *HTTPError) Error() string {
	if he.Internal == nil {
		return fmt.Sprintf("code=%d, message=%v", he.Code, he.Message)
	}
	return fmt.Sprintf("code=%d, message=%v, internal=%v", he.Code, he.Message, he.Internal)
}

// Unwrap satisfies the Go 1.13 error wrapper interface.
func (he *HTTPError) Unwrap() error {
	return he.Internal
}

// Context is the reduced echo.Context used by the proxy middleware.
type Context interface {
	Request() *http.Request
	Response() http.ResponseWriter
	Get(key string) interface{}
	Set(key string, val interface{})
}

// HandlerFunc defines a function to serve HTTP requests.
type HandlerFunc func(c Context) error

// MiddlewareFunc defines a function to process middleware.
type MiddlewareFunc func(HandlerFunc) HandlerFunc

// ProxyTarget defines the upstream target.
type ProxyTarget struct {
	Name string
	URL  *url.URL
}

// ProxyBalancer defines an interface to implement a load balancing technique.
type ProxyBalancer interface {
	Next(Context) *ProxyTarget
}

// ProxyConfig defines the config for Proxy middleware.
type ProxyConfig struct {
	Balancer       ProxyBalancer
	ContextKey     string
	Transport      http.RoundTripper
	ModifyResponse func(*http.Response) error
}

// ProxyWithConfig returns a Proxy middleware with config.
func ProxyWithConfig(config ProxyConfig) MiddlewareFunc {
	if config.Balancer == nil {
		panic("echo: proxy middleware requires balancer")
	}
	return func(next HandlerFunc) HandlerFunc {
		return func(c Context) (err error) {
			req := c.Request()
			res := c.Response()
			tgt := config.Balancer.Next(c)
			c.Set(config.ContextKey, tgt)

			proxyHTTP(tgt, c, config).ServeHTTP(res, req)
			if e, ok := c.Get("_error").(error); ok {
				err = e
			}
			return
		}
	}
}

func proxyHTTP(tgt *ProxyTarget, c Context, config ProxyConfig) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(tgt.URL)
	proxy.ErrorHandler = func(resp http.ResponseWriter, req *http.Request, err error) {
		desc := tgt.URL.String()
		if tgt.Name != "" {
			desc = fmt.Sprintf("%s(%s)", tgt.Name, tgt.URL.String())
		}
		httpError := NewHTTPError(http.StatusBadGateway, fmt.Sprintf("remote %s unreachable, could not forward: %v", desc, err))
		httpError.Internal = err
		c.Set("_error", httpError)
	}
	proxy.Transport = config.Transport
	proxy.ModifyResponse = config.ModifyResponse
	return proxy
}
