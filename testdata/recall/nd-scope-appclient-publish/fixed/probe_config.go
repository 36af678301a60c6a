// Recall case nd-scope-appclient-publish
// Source: github.com/weaveworks/scope commit 3542c6b2f84e59af93242dbd90ae72149e1d8835 (probe/appclient/app_client.go)
// Link: https://github.com/weaveworks/scope/commit/3542c6b2f84e59af93242dbd90ae72149e1d8835
// Bug: The probe's http.Client is built without a Timeout and publish() sends the report with a context-less request, so a stalled app server blocks the publish loop forever (only the TCP dial is bounded).
// Fix: The client gets Timeout: httpClientTimeout (4s) and each publish request is cancelled via req.Cancel = c.quit when the client stops.
// Rule: nodeadline
package appclient

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
)

// ProbeConfig contains all the info needed for a probe to do HTTP requests
type ProbeConfig struct {
	Token        string
	ProbeVersion string
	ProbeID      string
	Insecure     bool
}

func (pc ProbeConfig) authorizeHeaders(headers http.Header) {
	headers.Set("Authorization", fmt.Sprintf("Scope-Probe token=%s", pc.Token))
	headers.Set("X-Scope-Probe-ID", pc.ProbeID)
	headers.Set("X-Scope-Probe-Version", pc.ProbeVersion)
}

func (pc ProbeConfig) authorizedRequest(method string, urlStr string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequest(method, urlStr, body)
	if err == nil {
		pc.authorizeHeaders(req.Header)
	}
	return req, err
}

func (pc ProbeConfig) getHTTPTransport(hostname string) (*http.Transport, error) {
	if pc.Insecure {
		return &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		}, nil
	}

	host, _, err := net.SplitHostPort(hostname)
	if err != nil {
		return nil, err
	}

	return &http.Transport{
		TLSClientConfig: &tls.Config{
			ServerName: host,
		},
	}, nil
}
