// Recall case nd-crush-mcpprompt
// Source: github.com/charmbracelet/crush commit cda2719416c1bad7291017db3c5f5e1b93795c2c (internal/commands/commands.go)
// Link: https://github.com/charmbracelet/crush/commit/cda2719416c1bad7291017db3c5f5e1b93795c2c
// Bug: GetMCPPrompt calls mcp.GetPromptMessages(context.Background(), ...), so the MCP prompts/get RPC to the server (session.GetPrompt) runs with no deadline and can hang the UI command forever (only the preceding Ping is bounded).
// Fix: GetMCPPrompt wraps the call in context.WithTimeout(context.Background(), 30*time.Second) and passes that ctx down.
// Rule: nodeadline
package commands

import (
	"context"
	"strings"
)

// ConfigStore stands in for config.ConfigStore.
type ConfigStore struct {
	MCP map[string]MCPConfig
}

func GetMCPPrompt(cfg *ConfigStore, clientID, promptID string, args map[string]string) (string, error) {
	// TODO: we should pass the context down
	result, err := GetPromptMessages(context.Background(), cfg, clientID, promptID, args)
	if err != nil {
		return "", err
	}
	return strings.Join(result, " "), nil
}
