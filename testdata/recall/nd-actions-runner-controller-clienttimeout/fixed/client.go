// Recall case nd-actions-runner-controller-clienttimeout
// Source: github.com/actions/actions-runner-controller commit b202be712ecaac72d7c4c76b31c81a5541ccc00a (github/actions/client.go)
// Link: https://github.com/actions/actions-runner-controller/commit/b202be712ecaac72d7c4c76b31c81a5541ccc00a
// Bug: NewClient builds the Actions service HTTP client from a retryablehttp client whose underlying http.Client has no Timeout, so requests such as the GetMessage long poll (made with the listener's deadline-less ctx) can hang forever on a stalled connection.
// Fix: the underlying client gets retryClient.HTTPClient.Timeout = 5 * time.Minute (longer than the 1m long poll).
// Rule: nodeadline
package actions

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// retryClient stands in for *retryablehttp.Client.
type retryClient struct {
	HTTPClient   *http.Client
	RetryMax     int
	RetryWaitMax time.Duration
}

// newRetryClient stands in for retryablehttp.NewClient, which uses
// cleanhttp.DefaultPooledClient(): a pooled transport and no Timeout.
func newRetryClient() *retryClient {
	return &retryClient{
		HTTPClient: &http.Client{
			Transport: &http.Transport{
				Proxy: http.ProxyFromEnvironment,
				DialContext: (&net.Dialer{
					Timeout:   30 * time.Second,
					KeepAlive: 30 * time.Second,
				}).DialContext,
				MaxIdleConns:          100,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   10 * time.Second,
				ExpectContinueTimeout: 1 * time.Second,
			},
		},
		RetryMax:     4,
		RetryWaitMax: 30 * time.Second,
	}
}

type roundTripper struct {
	client *retryClient
}

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var lastErr error
	for attempt := 0; attempt <= rt.client.RetryMax; attempt++ {
		resp, err := rt.client.HTTPClient.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("server error: %s", resp.Status)
		}
		lastErr = err
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(time.Duration(attempt+1) * time.Second):
		}
	}
	return nil, lastErr
}

// StandardClient stands in for (*retryablehttp.Client).StandardClient.
func (c *retryClient) StandardClient() *http.Client {
	return &http.Client{Transport: &roundTripper{client: c}}
}

type Client struct {
	*http.Client

	rootCAs               *x509.CertPool
	tlsInsecureSkipVerify bool
	proxyFunc             func(*http.Request) (*url.URL, error)
	retryMax              int
	retryWaitMax          time.Duration
	userAgent             string
}

type ClientOption func(*Client)

func NewClient(githubConfigURL string, options ...ClientOption) (*Client, error) {
	if _, err := url.Parse(githubConfigURL); err != nil {
		return nil, fmt.Errorf("failed to parse githubConfigURL: %w", err)
	}

	ac := &Client{
		// retryablehttp defaults
		retryMax:     4,
		retryWaitMax: 30 * time.Second,
		userAgent:    "actions-runner-controller",
	}

	for _, option := range options {
		option(ac)
	}

	retryClient := newRetryClient()

	retryClient.RetryMax = ac.retryMax
	retryClient.RetryWaitMax = ac.retryWaitMax

	retryClient.HTTPClient.Timeout = 5 * time.Minute // timeout must be > 1m to accomodate long polling

	transport, ok := retryClient.HTTPClient.Transport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("failed to get http transport from retryablehttp client")
	}
	if transport.TLSClientConfig == nil {
		transport.TLSClientConfig = &tls.Config{}
	}

	if ac.rootCAs != nil {
		transport.TLSClientConfig.RootCAs = ac.rootCAs
	}

	if ac.tlsInsecureSkipVerify {
		transport.TLSClientConfig.InsecureSkipVerify = true
	}

	transport.Proxy = ac.proxyFunc

	retryClient.HTTPClient.Transport = transport
	ac.Client = retryClient.StandardClient()

	return ac, nil
}

type RunnerScaleSetMessage struct {
	MessageId   int64  `json:"messageId"`
	MessageType string `json:"messageType"`
	Body        string `json:"body"`
}

// GetMessage long-polls the message queue (the server holds the request for up to ~50s).
func (c *Client) GetMessage(ctx context.Context, messageQueueUrl, messageQueueAccessToken string, lastMessageId int64) (*RunnerScaleSetMessage, error) {
	u, err := url.Parse(messageQueueUrl)
	if err != nil {
		return nil, err
	}

	if lastMessageId > 0 {
		q := u.Query()
		q.Set("lastMessageId", strconv.FormatInt(lastMessageId, 10))
		u.RawQuery = q.Encode()
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}

	req.Header.Set("Accept", "application/json; api-version=6.0-preview")
	req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", messageQueueAccessToken))
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode == http.StatusAccepted {
		return nil, nil
	}

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("unexpected status %s", resp.Status)
	}

	var message *RunnerScaleSetMessage
	err = json.NewDecoder(resp.Body).Decode(&message)
	if err != nil {
		return nil, err
	}
	return message, nil
}
