// Recall case sd-gozero-gateway-ctx
// Source: github.com/zeromicro/go-zero commit e6b4372056a25e5c10695e10006794ae60cbac84 (gateway/server.go; call chain through rest/httpc/requests.go)
// Link: https://github.com/zeromicro/go-zero/commit/e6b4372056a25e5c10695e10006794ae60cbac84
// Bug: buildHttpHandler forwards to the upstream with a request built by buildRequestWithNewTarget (no ctx); when target.Timeout is 0 it never attaches r.Context(), so httpc.DoRequest runs on context.Background() and ignores the incoming request's cancellation/deadline.
// Fix: in the no-timeout branch, req = req.WithContext(r.Context()).
// Rule: sharedeadline
package gateway

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/url"
	"time"
)

const defaultHttpScheme = "http"

// HttpClientConf is the configuration for an HTTP upstream.
type HttpClientConf struct {
	Target  string
	Prefix  string
	Timeout int64 // milliseconds
}

// Server is a gateway server (reduced).
type Server struct {
	mux *http.ServeMux
}

func (s *Server) buildHttpHandler(target *HttpClientConf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		req, err := buildRequestWithNewTarget(r, target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}

		if target.Timeout > 0 {
			timeout := time.Duration(target.Timeout) * time.Millisecond
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			req = req.WithContext(ctx)
		}

		resp, err := DoRequest(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer resp.Body.Close()

		for key, values := range resp.Header {
			for _, value := range values {
				w.Header().Add(key, value)
			}
		}

		w.WriteHeader(resp.StatusCode)
		if _, err = io.Copy(w, resp.Body); err != nil {
			// log the error with original request info
			log.Println(err)
		}
	}
}

// buildHttpRoute registers the handler for one upstream mapping.
func (s *Server) buildHttpRoute(method, path string, target *HttpClientConf) {
	s.mux.Handle(method+" "+path, s.buildHttpHandler(target))
}

func buildRequestWithNewTarget(r *http.Request, target *HttpClientConf) (*http.Request, error) {
	u := *r.URL
	u.Host = target.Target
	if len(u.Scheme) == 0 {
		u.Scheme = defaultHttpScheme
	}

	if len(target.Prefix) > 0 {
		var err error
		u.Path, err = url.JoinPath(target.Prefix, u.Path)
		if err != nil {
			return nil, err
		}
	}

	return &http.Request{
		Method:        r.Method,
		URL:           &u,
		Header:        r.Header.Clone(),
		Proto:         r.Proto,
		ProtoMajor:    r.ProtoMajor,
		ProtoMinor:    r.ProtoMinor,
		ContentLength: r.ContentLength,
		Body:          io.NopCloser(r.Body),
	}, nil
}

// ---- reduced from rest/httpc/requests.go ----

type (
	client interface {
		do(r *http.Request) (*http.Response, error)
	}

	defaultClient struct{}
)

func (c defaultClient) do(r *http.Request) (*http.Response, error) {
	return http.DefaultClient.Do(r)
}

// DoRequest sends an HTTP request and returns an HTTP response.
func DoRequest(r *http.Request) (*http.Response, error) {
	return request(r, defaultClient{})
}

func request(r *http.Request, cli client) (*http.Response, error) {
	ctx := r.Context()
	// tracing span start / header propagation elided
	r = r.WithContext(ctx)
	return cli.do(r)
}
