// Recall case nd-go-genai-requestctx
// Source: github.com/googleapis/go-genai commit 747c5ef9c781024b0f88f30c77ff382b35f6a52b (api_client.go)
// Link: https://github.com/googleapis/go-genai/commit/747c5ef9c781024b0f88f30c77ff382b35f6a52b
// Bug: buildRequest creates the HTTP request with http.NewRequest (no context) and doRequest ignores its ctx parameter, so client.Do runs with no deadline/cancellation even though sendRequest's caller passed a ctx (default client has no Timeout).
// Fix: buildRequest takes ctx and uses http.NewRequestWithContext(ctx, ...), and doRequest drops the unused ctx parameter.
// Rule: nodeadline
package genai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

type HTTPOptions struct {
	BaseURL    string
	APIVersion string
}

type ClientConfig struct {
	APIKey      string
	HTTPOptions HTTPOptions
	HTTPClient  *http.Client
}

type apiClient struct {
	clientConfig *ClientConfig
}

func newAPIClient(cc *ClientConfig) *apiClient {
	if cc.HTTPClient == nil {
		cc.HTTPClient = &http.Client{}
	}
	return &apiClient{clientConfig: cc}
}

// sendRequest issues an API request and returns a map of the response contents.
func sendRequest(ctx context.Context, ac *apiClient, path string, method string, body map[string]any) (map[string]any, error) {
	req, err := buildRequest(ctx, ac, path, body, method)
	if err != nil {
		return nil, err
	}

	resp, err := doRequest(ac, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	return deserializeUnaryResponse(resp)
}

func (ac *apiClient) createAPIURL(suffix string) (*url.URL, error) {
	u, err := url.Parse(fmt.Sprintf("%s/%s/%s", ac.clientConfig.HTTPOptions.BaseURL, ac.clientConfig.HTTPOptions.APIVersion, suffix))
	if err != nil {
		return nil, fmt.Errorf("createAPIURL: error parsing ML Dev URL: %w", err)
	}
	return u, nil
}

func buildRequest(ctx context.Context, ac *apiClient, path string, body map[string]any, method string) (*http.Request, error) {
	url, err := ac.createAPIURL(path)
	if err != nil {
		return nil, err
	}
	b := new(bytes.Buffer)
	if len(body) > 0 {
		if err := json.NewEncoder(b).Encode(body); err != nil {
			return nil, fmt.Errorf("buildRequest: error encoding body %#v: %w", body, err)
		}
	}

	// Create a new HTTP request
	req, err := http.NewRequestWithContext(ctx, method, url.String(), b)
	if err != nil {
		return nil, err
	}
	// Set headers
	req.Header = sdkHeader(ac)
	return req, nil
}

func sdkHeader(ac *apiClient) http.Header {
	header := make(http.Header)
	header.Set("Content-Type", "application/json")
	if ac.clientConfig.APIKey != "" {
		header.Set("x-goog-api-key", ac.clientConfig.APIKey)
	}
	return header
}

func doRequest(ac *apiClient, req *http.Request) (*http.Response, error) {
	// Create a new HTTP client and send the request
	client := ac.clientConfig.HTTPClient
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("doRequest: error sending request: %w", err)
	}
	return resp, nil
}

func deserializeUnaryResponse(resp *http.Response) (map[string]any, error) {
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, fmt.Errorf("api error: status %d", resp.StatusCode)
	}
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}

	output := make(map[string]any)
	if err := json.Unmarshal(respBody, &output); err != nil {
		return nil, fmt.Errorf("deserializeUnaryResponse: error unmarshalling response: %w\n%s", err, respBody)
	}
	return output, nil
}

// GenerateContent is a public entry point that forwards the caller's ctx.
func GenerateContent(ctx context.Context, ac *apiClient, model string, body map[string]any) (map[string]any, error) {
	return sendRequest(ctx, ac, "models/"+model+":generateContent", http.MethodPost, body)
}
