// Recall case sd-ragflow-mcp-import
// Source: github.com/infiniflow/ragflow commit c697fcff41eb4c3d60b1c274fab689848a2df73e (internal/service/mcp.go)
// Link: https://github.com/infiniflow/ragflow/commit/c697fcff41eb4c3d60b1c274fab689848a2df73e
// Bug: ImportServers receives the request ctx but gives each MCP tool-discovery call a fresh budget with context.WithTimeout(context.Background(), timeout), so a cancelled or expiring request keeps probing every remote MCP server.
// Fix: Derive the per-server timeout from the caller's ctx: context.WithTimeout(ctx, timeout).
// Rule: sharedeadline
package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	defaultMCPFetchTimeoutSec = 10
	mcpServerNameLimit        = 255
)

// FetchOptions / FetchTools are stand-ins for internal/utility's MCP client.
type FetchOptions struct {
	URL        string
	ServerType string
	Headers    map[string]string
	Timeout    time.Duration
}

type Tool struct {
	Name string `json:"name"`
}

func FetchTools(ctx context.Context, opts FetchOptions) ([]Tool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.URL,
		strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if err != nil {
		return nil, err
	}
	for k, v := range opts.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Result struct {
			Tools []Tool `json:"tools"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out.Result.Tools, nil
}

type ImportResult struct {
	Server  string `json:"server"`
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
}

// MCPServerDAO is a stand-in for the DB access object.
type MCPServerDAO interface {
	CreateMCPServer(ctx context.Context, tenantID, name, url string, tools []Tool) error
}

type MCPService struct {
	mcpServerDAO MCPServerDAO
}

func isValidMCPServerType(t string) bool { return t == "sse" || t == "streamable-http" }

// ImportServers bulk-imports MCP servers from a {"mcpServers": {name: config}} map.
func (s *MCPService) ImportServers(ctx context.Context, tenantID string, servers map[string]map[string]interface{}, timeoutSeconds float64) ([]ImportResult, error) {
	if timeoutSeconds <= 0 {
		timeoutSeconds = defaultMCPFetchTimeoutSec
	}
	timeout := time.Duration(timeoutSeconds * float64(time.Second))

	results := make([]ImportResult, 0, len(servers))
	for serverName, config := range servers {
		url, hasURL := config["url"].(string)
		stype, hasType := config["type"].(string)
		if !hasType || !hasURL {
			results = append(results, ImportResult{Server: serverName, Success: false, Message: "Missing required fields (type or url)"})
			continue
		}
		if serverName == "" || len([]byte(serverName)) > mcpServerNameLimit {
			results = append(results, ImportResult{Server: serverName, Success: false, Message: fmt.Sprintf("Invalid MCP name or length is %d which is large than 255.", len(serverName))})
			continue
		}
		if !isValidMCPServerType(stype) {
			results = append(results, ImportResult{Server: serverName, Success: false, Message: "Unsupported MCP server type."})
			continue
		}

		headers := map[string]string{}
		if rawHeaders, ok := config["headers"].(map[string]interface{}); ok {
			for k, v := range rawHeaders {
				if sv, ok := v.(string); ok {
					headers[k] = sv
				}
			}
		}

		mcpCtx, cancel := context.WithTimeout(context.Background(), timeout)
		tools, fetchErr := FetchTools(mcpCtx, FetchOptions{
			URL:        url,
			ServerType: stype,
			Headers:    headers,
			Timeout:    timeout,
		})
		cancel()
		if fetchErr != nil {
			results = append(results, ImportResult{Server: serverName, Success: false, Message: fetchErr.Error()})
			continue
		}

		if err := s.mcpServerDAO.CreateMCPServer(ctx, tenantID, serverName, url, tools); err != nil {
			results = append(results, ImportResult{Server: serverName, Success: false, Message: "Failed to create MCP server."})
			continue
		}

		results = append(results, ImportResult{Server: serverName, Success: true})
	}
	return results, nil
}
