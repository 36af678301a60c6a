// Recall case nd-crush-mcpprompt
// Source: github.com/charmbracelet/crush commit cda2719416c1bad7291017db3c5f5e1b93795c2c (internal/agent/tools/mcp/prompts.go, internal/agent/tools/mcp/init.go)
// Link: https://github.com/charmbracelet/crush/commit/cda2719416c1bad7291017db3c5f5e1b93795c2c
// Bug: GetMCPPrompt calls mcp.GetPromptMessages(context.Background(), ...), so the MCP prompts/get RPC to the server (session.GetPrompt) runs with no deadline and can hang the UI command forever (only the preceding Ping is bounded).
// Fix: GetMCPPrompt wraps the call in context.WithTimeout(context.Background(), 30*time.Second) and passes that ctx down.
// Rule: nodeadline
package commands

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// MCPConfig stands in for config.MCPConfig.
type MCPConfig struct {
	URL     string
	Timeout int
}

// ClientSession stands in for the go-sdk mcp.ClientSession (streamable HTTP transport):
// each call is a JSON-RPC POST made with the ctx it is given.
type ClientSession struct {
	url    string
	client *http.Client
}

type GetPromptParams struct {
	Name      string            `json:"name"`
	Arguments map[string]string `json:"arguments,omitempty"`
}

type PromptMessage struct {
	Role    string `json:"role"`
	Content struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
}

type GetPromptResult struct {
	Messages []PromptMessage `json:"messages"`
}

func (s *ClientSession) call(ctx context.Context, method string, params, result any) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return err
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(env.Result, result)
}

func (s *ClientSession) Ping(ctx context.Context, _ any) error {
	return s.call(ctx, "ping", struct{}{}, nil)
}

func (s *ClientSession) GetPrompt(ctx context.Context, params *GetPromptParams) (*GetPromptResult, error) {
	var res GetPromptResult
	if err := s.call(ctx, "prompts/get", params, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

var (
	sessionsMu sync.Mutex
	sessions   = map[string]*ClientSession{}
)

func createSession(ctx context.Context, name string, m MCPConfig) (*ClientSession, error) {
	sess := &ClientSession{url: m.URL, client: http.DefaultClient} // go-sdk transport default
	if err := sess.Ping(ctx, nil); err != nil {
		return nil, fmt.Errorf("mcp %q: %w", name, err)
	}
	return sess, nil
}

func mcpTimeout(m MCPConfig) time.Duration {
	return time.Duration(cmp.Or(m.Timeout, 15)) * time.Second
}

func getOrRenewClient(ctx context.Context, cfg *ConfigStore, name string) (*ClientSession, error) {
	sessionsMu.Lock()
	sess, ok := sessions[name]
	sessionsMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("mcp '%s' not available", name)
	}

	m := cfg.MCP[name]

	timeout := mcpTimeout(m)
	pingCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := sess.Ping(pingCtx, nil)
	if err == nil {
		return sess, nil
	}

	sess, err = createSession(ctx, name, m)
	if err != nil {
		return nil, err
	}

	sessionsMu.Lock()
	sessions[name] = sess
	sessionsMu.Unlock()
	return sess, nil
}

// GetPromptMessages retrieves the content of an MCP prompt with the given arguments.
func GetPromptMessages(ctx context.Context, cfg *ConfigStore, clientName, promptName string, args map[string]string) ([]string, error) {
	c, err := getOrRenewClient(ctx, cfg, clientName)
	if err != nil {
		return nil, err
	}
	result, err := c.GetPrompt(ctx, &GetPromptParams{
		Name:      promptName,
		Arguments: args,
	})
	if err != nil {
		return nil, err
	}

	var messages []string
	for _, msg := range result.Messages {
		if msg.Role != "user" {
			continue
		}
		if msg.Content.Type == "text" {
			messages = append(messages, msg.Content.Text)
		}
	}
	return messages, nil
}
