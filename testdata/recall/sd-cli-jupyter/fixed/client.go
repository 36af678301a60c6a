// Recall case sd-cli-jupyter
// Source: github.com/cli/cli commit 766e6a2314b176a8000f23284b7368fbcdc573c3 (internal/codespaces/grpc/client.go)
// Link: https://github.com/cli/cli/commit/766e6a2314b176a8000f23284b7368fbcdc573c3
// Bug: grpc.Client.StartJupyterServer starts its own 30s budget from context.Background() instead of the caller's ctx, so the RPC made on behalf of App.Jupyter(ctx, ...) ignores the command's cancellation/deadline (Ctrl-C does not abort it).
// Fix: StartJupyterServer takes ctx and derives its timeout with context.WithTimeout(ctx, requestTimeout); Jupyter passes its ctx.
// Rule: sharedeadline
package codespace

// gRPC client implementation to be able to connect to the gRPC server and perform the following operations:
// - Start a remote JupyterLab server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

const (
	connectionTimeout = 5 * time.Second
	requestTimeout    = 30 * time.Second
)

type GetRunningServerRequest struct{}

type GetRunningServerResponse struct {
	Result    bool
	Message   string
	Port      string
	ServerUrl string
}

// JupyterServerHostClient stands in for the generated gRPC client interface.
type JupyterServerHostClient interface {
	GetRunningServer(ctx context.Context, in *GetRunningServerRequest) (*GetRunningServerResponse, error)
}

type metadataKey struct{}

type jupyterServerHostClient struct {
	httpClient *http.Client
	baseURL    string
}

func (c *jupyterServerHostClient) GetRunningServer(ctx context.Context, in *GetRunningServerRequest) (*GetRunningServerResponse, error) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/JupyterServerHost/GetRunningServer", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if auth, ok := ctx.Value(metadataKey{}).(string); ok {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out GetRunningServerResponse
	return &out, json.NewDecoder(resp.Body).Decode(&out)
}

type Client struct {
	token         string
	jupyterClient JupyterServerHostClient
}

// Connects to the gRPC server at the given (forwarded) local address
func Connect(ctx context.Context, localAddress string, token string) (*Client, error) {
	return &Client{
		token:         token,
		jupyterClient: &jupyterServerHostClient{httpClient: &http.Client{}, baseURL: "http://" + localAddress},
	}, nil
}

// Closes the gRPC connection
func (g *Client) Close() error {
	return nil
}

// Appends the authentication token to the gRPC context
func (g *Client) appendMetadata(ctx context.Context) context.Context {
	return context.WithValue(ctx, metadataKey{}, "Bearer "+g.token)
}

// Starts a remote JupyterLab server to allow the user to connect to the codespace via JupyterLab in their browser
func (g *Client) StartJupyterServer(ctx context.Context) (port int, serverUrl string, err error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	ctx = g.appendMetadata(ctx)
	defer cancel()

	response, err := g.jupyterClient.GetRunningServer(ctx, &GetRunningServerRequest{})
	if err != nil {
		return 0, "", fmt.Errorf("failed to invoke JupyterLab RPC: %w", err)
	}

	if !response.Result {
		return 0, "", fmt.Errorf("failed to start JupyterLab: %s", response.Message)
	}

	port, err = strconv.Atoi(response.Port)
	if err != nil {
		return 0, "", fmt.Errorf("failed to parse JupyterLab port: %w", err)
	}

	return port, response.ServerUrl, err
}
