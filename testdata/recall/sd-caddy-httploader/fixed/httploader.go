// Recall case sd-caddy-httploader
// Source: github.com/caddyserver/caddy commit 7d26d34ec6e3360cd4668224ee7d632fcaa465d3 (caddyconfig/httploader.go)
// Link: https://github.com/caddyserver/caddy/pull/7918
// Bug: HTTPLoader.LoadConfig receives a caddy.Context (a context.Context) but builds the config request with http.NewRequest, i.e. on context.Background(), so cancelling the caddy context (config reload/shutdown) does not abort an in-flight client.Do in doHttpCallWithRetries.
// Fix: the request is built with http.NewRequestWithContext(ctx, ...) so the caller's cancellation reaches the HTTP call.
// Rule: sharedeadline
package caddyconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// --- minimal stand-ins for the caddy core package ---

// Duration mirrors caddy.Duration.
type Duration time.Duration

// Context mirrors caddy.Context: it embeds the module's lifetime context.
type Context struct {
	context.Context
	logger *slog.Logger
}

// Logger returns the module logger.
func (ctx Context) Logger() *slog.Logger { return ctx.logger }

// IdentityCredentials returns this instance's managed identity certificates.
func (ctx Context) IdentityCredentials(_ *slog.Logger) ([]tls.Certificate, error) {
	return nil, nil
}

// Replacer mirrors caddy.Replacer.
type Replacer struct{}

// NewReplacer returns a new Replacer.
func NewReplacer() *Replacer { return &Replacer{} }

// ReplaceAll replaces placeholders (none in this reduction).
func (r *Replacer) ReplaceAll(input, empty string) string { return input }

// ReplaceKnown replaces known placeholders (none in this reduction).
func (r *Replacer) ReplaceKnown(input, empty string) string { return input }

// ConfigLoader mirrors caddy.ConfigLoader.
type ConfigLoader interface {
	LoadConfig(Context) ([]byte, error)
}

type Warning struct{ Message string }

func (w Warning) String() string { return w.Message }

func adaptByContentType(contentType string, body []byte) ([]byte, []Warning, error) {
	if contentType == "" || strings.Contains(contentType, "json") {
		return body, nil, nil
	}
	return nil, nil, fmt.Errorf("unsupported content type %q", contentType)
}

// --- the code under test ---

// HTTPLoader can load Caddy configs over HTTP(S).
type HTTPLoader struct {
	// The method for the request. Default: GET
	Method string `json:"method,omitempty"`

	// The URL of the request.
	URL string `json:"url,omitempty"`

	// HTTP headers to add to the request.
	Headers http.Header `json:"header,omitempty"`

	// Maximum time allowed for a complete connection and request.
	Timeout Duration `json:"timeout,omitempty"`

	// The name of the config adapter to use, if any.
	Adapter string `json:"adapter,omitempty"`

	TLS *struct {
		// Present this instance's managed remote identity credentials to the server.
		UseServerIdentity bool `json:"use_server_identity,omitempty"`

		// PEM-encoded client certificate filename to present to the server.
		ClientCertificateFile string `json:"client_certificate_file,omitempty"`

		// PEM-encoded key to use with the client certificate.
		ClientCertificateKeyFile string `json:"client_certificate_key_file,omitempty"`

		// List of PEM-encoded CA certificate files to add to the same trust
		// store as RootCAPool (or root_ca_pool in the JSON).
		RootCAPEMFiles []string `json:"root_ca_pem_files,omitempty"`
	} `json:"tls,omitempty"`
}

// LoadConfig loads a Caddy config.
func (hl HTTPLoader) LoadConfig(ctx Context) ([]byte, error) {
	repl := NewReplacer()

	client, err := hl.makeClient(ctx)
	if err != nil {
		return nil, err
	}

	method := repl.ReplaceAll(hl.Method, "")
	if method == "" {
		method = http.MethodGet
	}

	url := repl.ReplaceAll(hl.URL, "")
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	for key, vals := range hl.Headers {
		for _, val := range vals {
			req.Header.Add(repl.ReplaceAll(key, ""), repl.ReplaceKnown(val, ""))
		}
	}

	resp, err := doHttpCallWithRetries(ctx, client, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("server responded with HTTP %d", resp.StatusCode)
	}

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}

	// adapt the config based on either manually-configured adapter or server's response header
	ct := resp.Header.Get("Content-Type")
	if hl.Adapter != "" {
		ct = "text/" + hl.Adapter
	}
	result, warnings, err := adaptByContentType(ct, body)
	if err != nil {
		return nil, err
	}
	for _, warn := range warnings {
		ctx.Logger().Warn(warn.String())
	}

	return result, nil
}

func attemptHttpCall(client *http.Client, request *http.Request) (*http.Response, error) {
	resp, err := client.Do(request) //nolint:gosec // no SSRF; comes from trusted config
	if err != nil {
		return nil, fmt.Errorf("problem calling http loader url: %v", err)
	} else if resp.StatusCode < 200 || resp.StatusCode > 499 {
		resp.Body.Close()
		return nil, fmt.Errorf("bad response status code from http loader url: %v", resp.StatusCode)
	}
	return resp, nil
}

func doHttpCallWithRetries(ctx Context, client *http.Client, request *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	const maxAttempts = 10

	for i := range maxAttempts {
		resp, err = attemptHttpCall(client, request)
		if err != nil && i < maxAttempts-1 {
			select {
			case <-time.After(time.Millisecond * 500):
			case <-ctx.Done():
				return resp, ctx.Err()
			}
		} else {
			break
		}
	}

	return resp, err
}

func (hl HTTPLoader) makeClient(ctx Context) (*http.Client, error) {
	client := &http.Client{
		Timeout: time.Duration(hl.Timeout),
	}

	if hl.TLS != nil {
		var tlsConfig *tls.Config

		// client authentication
		if hl.TLS.UseServerIdentity {
			certs, err := ctx.IdentityCredentials(ctx.Logger())
			if err != nil {
				return nil, fmt.Errorf("getting server identity credentials: %v", err)
			}
			//nolint:gosec
			tlsConfig = &tls.Config{Certificates: certs}
		} else if hl.TLS.ClientCertificateFile != "" && hl.TLS.ClientCertificateKeyFile != "" {
			cert, err := tls.LoadX509KeyPair(hl.TLS.ClientCertificateFile, hl.TLS.ClientCertificateKeyFile)
			if err != nil {
				return nil, err
			}
			//nolint:gosec
			tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		}

		// trusted server certs
		if len(hl.TLS.RootCAPEMFiles) > 0 {
			rootPool := x509.NewCertPool()
			for _, pemFile := range hl.TLS.RootCAPEMFiles {
				pemData, err := os.ReadFile(pemFile)
				if err != nil {
					return nil, fmt.Errorf("failed reading ca cert: %v", err)
				}
				rootPool.AppendCertsFromPEM(pemData)
			}
			if tlsConfig == nil {
				tlsConfig = new(tls.Config)
			}
			tlsConfig.RootCAs = rootPool
		}

		client.Transport = &http.Transport{TLSClientConfig: tlsConfig}
	}

	return client, nil
}

var _ ConfigLoader = (*HTTPLoader)(nil)
