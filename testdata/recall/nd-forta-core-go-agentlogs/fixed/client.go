// Recall case nd-forta-core-go-agentlogs
// Source: github.com/forta-network/forta-core-go commit 5bdded2f7b51d6a54d17e3a228629dc932329f77 (clients/agentlogs/client.go)
// Link: https://github.com/forta-network/forta-core-go/commit/5bdded2f7b51d6a54d17e3a228629dc932329f77
// Bug: client.SendLogs posts the agent logs with http.DefaultClient.Do(req) on a request built without a context; DefaultClient has no Timeout, so a stalled logs API blocks the caller forever.
// Fix: Send the request through a shared httpclient.Default (*http.Client with Timeout: 30s) instead of http.DefaultClient.
// Rule: nodeadline
package agentlogs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Agent contains agent data.
type Agent struct {
	ID   string `json:"id"`
	Logs string `json:"logs"`
}

// Agents is a type alias of agent slice.
type Agents []*Agent

// Encode encodes the agent data.
func Encode(agents Agents) (io.Reader, error) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	defer w.Close()
	return &buf, json.NewEncoder(w).Encode(agents)
}

// Client interacts with the agent logs API.
type Client interface {
	SendLogs(agents Agents, authToken string) error
}

type client struct {
	endpoint string
}

// NewClient creates a new client.
func NewClient(endpoint string) *client {
	return &client{endpoint: endpoint}
}

func (client *client) SendLogs(agents Agents, authToken string) error {
	body, err := Encode(agents)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", client.endpoint, body)
	if err != nil {
		return fmt.Errorf("failed to create request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	if len(authToken) > 0 {
		req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", authToken))
	}

	resp, err := httpclientDefault.Do(req)
	if err != nil {
		return fmt.Errorf("request failed: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("failed with code '%d'", resp.StatusCode)
	}
	return nil
}
