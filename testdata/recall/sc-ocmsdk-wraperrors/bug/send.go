// Recall case sc-ocmsdk-wraperrors
// Source: github.com/openshift-online/ocm-sdk-go commit ee4264286ed9b60fe7d1f136ec9e70aff67cc3f8 (send.go, token.go)
// Link: https://github.com/openshift-online/ocm-sdk-go/commit/ee4264286ed9b60fe7d1f136ec9e70aff67cc3f8
// Bug: send() and sendTokenFormTimed() re-wrap the errors of c.client.Do / TokensContext with fmt.Errorf("...: %v"), so a context.DeadlineExceeded / context.Canceled from the request context is turned into a plain string error and errors.Is(err, context.DeadlineExceeded) is false for callers.
// Fix: wrap with %w instead of %v.
// Rule: swallowcancel
package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
)

// Connection contains the data needed to connect to the API.
type Connection struct {
	client   *http.Client
	apiURL   *url.URL
	tokenURL *url.URL
	agent    string
	access   string
}

// RoundTrip implements http.RoundTripper, using the context of the request.
func (c *Connection) RoundTrip(request *http.Request) (response *http.Response, err error) {
	ctx := request.Context()
	response, err = c.send(ctx, request)
	return
}

func (c *Connection) send(ctx context.Context, request *http.Request) (response *http.Response,
	err error) {
	// Check that the request URL:
	if request.URL.Path == "" {
		err = fmt.Errorf("request path is mandatory")
		return
	}
	if request.URL.Scheme != "" || request.URL.Host != "" || !path.IsAbs(request.URL.Path) {
		err = fmt.Errorf("request URL '%s' isn't absolute", request.URL)
		return
	}

	// Add the API URL to the request URL:
	request.URL = c.apiURL.ResolveReference(request.URL)

	// Get the access token:
	token, err := c.TokensContext(ctx)
	if err != nil {
		err = fmt.Errorf("can't get access token: %v", err)
		return
	}

	// Add the default headers:
	if request.Header == nil {
		request.Header = make(http.Header)
	}
	if c.agent != "" {
		request.Header.Set("User-Agent", c.agent)
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	request.Header.Set("Accept", "application/json")

	// Send the request and get the response:
	response, err = c.client.Do(request)
	if err != nil {
		err = fmt.Errorf("can't send request: %v", err)
		return
	}

	return
}

// TokensContext returns the access token, requesting a new one if needed.
func (c *Connection) TokensContext(ctx context.Context) (access string, err error) {
	if c.access != "" {
		return c.access, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	access, err = c.sendTokenFormTimed(ctx, form)
	if err != nil {
		return "", err
	}
	c.access = access
	return access, nil
}

func (c *Connection) sendTokenFormTimed(ctx context.Context, form url.Values) (access string, err error) {
	// Create the HTTP request:
	body := []byte(form.Encode())
	request, err := http.NewRequest(http.MethodPost, c.tokenURL.String(), bytes.NewReader(body))
	if err != nil {
		err = fmt.Errorf("can't create request: %v", err)
		return
	}
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	// Set the context:
	if ctx != nil {
		request = request.WithContext(ctx)
	}

	// Send the HTTP request:
	response, err := c.client.Do(request)
	if err != nil {
		err = fmt.Errorf("can't send request: %v", err)
		return
	}
	defer response.Body.Close()

	// Read the response body:
	body, err = io.ReadAll(response.Body)
	if err != nil {
		err = fmt.Errorf("can't read response: %v", err)
		return
	}

	// Parse the response body:
	var result struct {
		AccessToken *string `json:"access_token"`
	}
	err = json.Unmarshal(body, &result)
	if err != nil {
		err = fmt.Errorf("can't parse JSON response: %v", err)
		return
	}
	if result.AccessToken == nil {
		err = fmt.Errorf("no access token was received")
		return
	}
	access = *result.AccessToken
	return
}
