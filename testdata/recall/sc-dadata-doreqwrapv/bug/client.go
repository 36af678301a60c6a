// Recall case sc-dadata-doreqwrapv
// Source: github.com/ekomobile/dadata commit 4d8d739615af9f7130a7c21fffc06ec9c20aadba (client/client.go)
// Link: https://github.com/ekomobile/dadata/commit/4d8d739615af9f7130a7c21fffc06ec9c20aadba
// Bug: Client.doRequest formats ctx.Err() and the httpClient.Do error with fmt.Errorf("...%v", err), so a cancelled or timed-out request reaches callers of Get/Post as a flat string and errors.Is(err, context.Canceled/DeadlineExceeded) is false (upstream issue #15).
// Fix: every error in doRequest is wrapped with %w (and the request is built with http.NewRequestWithContext).
// Rule: swallowcancel
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

type (
	// Client is a transport for API calls.
	Client struct {
		options clientOptions
	}

	// CredentialProvider provides DaData API access keys.
	CredentialProvider interface {
		ApiKey() string
		SecretKey() string
	}

	clientOptions struct {
		httpClient         *http.Client
		credentialProvider CredentialProvider
		endpointURL        *url.URL
	}

	// EnvironmentCredentials provides credentials from environment variables.
	EnvironmentCredentials struct {
		ApiKeyName    string
		SecretKeyName string
	}

	// Option applies some option to clientOptions.
	Option func(opts *clientOptions)
)

func (c *EnvironmentCredentials) ApiKey() string {
	return os.Getenv(c.ApiKeyName)
}

func (c *EnvironmentCredentials) SecretKey() string {
	return os.Getenv(c.SecretKeyName)
}

// WithHttpClient sets custom http.Client.
func WithHttpClient(c *http.Client) Option {
	return func(opts *clientOptions) {
		opts.httpClient = c
	}
}

func applyOptions(options *clientOptions, opts ...Option) {
	for _, o := range opts {
		o(options)
	}
}

// NewClient Create new client of DaData.
func NewClient(endpointURL *url.URL, opts ...Option) *Client {
	options := clientOptions{
		httpClient: http.DefaultClient,
		credentialProvider: &EnvironmentCredentials{
			ApiKeyName:    "DADATA_API_KEY",
			SecretKeyName: "DADATA_SECRET_KEY",
		},
		endpointURL: endpointURL,
	}

	applyOptions(&options, opts...)

	return &Client{
		options: options,
	}
}

func (c *Client) doRequest(ctx context.Context, method string, url *url.URL, body interface{}, result interface{}) (err error) {
	if err = ctx.Err(); err != nil {
		return fmt.Errorf("doRequest: ctx.Err return err=%v", err)
	}

	buffer := &bytes.Buffer{}

	if err = json.NewEncoder(buffer).Encode(body); err != nil {
		return fmt.Errorf("doRequest: json.Encode return err = %v", err)
	}

	request, err := http.NewRequest(method, url.String(), buffer)
	if err != nil {
		return fmt.Errorf("doRequest: http.NewRequest return err = %v", err)
	}

	request = request.WithContext(ctx)

	request.Header.Add("Authorization", fmt.Sprintf("Token %s", c.options.credentialProvider.ApiKey()))
	request.Header.Add("X-Secret", c.options.credentialProvider.SecretKey())
	request.Header.Add("Content-Type", "application/json")
	request.Header.Add("Accept", "application/json")

	response, err := c.options.httpClient.Do(request)
	if err != nil {
		return fmt.Errorf("doRequest: httpClient.Do return err = %v", err)
	}

	defer response.Body.Close()

	if http.StatusOK != response.StatusCode {
		return fmt.Errorf("doRequest: Request error %v", response.Status)
	}

	if err = json.NewDecoder(response.Body).Decode(&result); err != nil {
		return fmt.Errorf("doRequest: json.Decode return err = %v", err)
	}

	return
}

func (c *Client) Post(ctx context.Context, apiMethod string, body, result interface{}) (err error) {
	requestURL, err := c.options.endpointURL.Parse(apiMethod)
	if err != nil {
		return
	}

	return c.doRequest(ctx, "POST", requestURL, body, result)
}

func (c *Client) Get(ctx context.Context, apiMethod string, params url.Values, result interface{}) (err error) {
	requestURL, err := c.options.endpointURL.Parse(apiMethod)
	if err != nil {
		return
	}

	if params != nil {
		q := requestURL.Query()
		for k, v := range params {
			q[k] = v
		}
		requestURL.RawQuery = q.Encode()
	}

	return c.doRequest(ctx, "GET", requestURL, nil, result)
}
