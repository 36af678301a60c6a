// Recall case nd-gatewayd-hooks
// Source: github.com/gatewayd-io/gatewayd commit b73fce35b4eb4a0ccafc8e6bdac8bac4054394ee (network/server.go, plugin/plugin_registry.go)
// Link: https://github.com/gatewayd-io/gatewayd/commit/b73fce35b4eb4a0ccafc8e6bdac8bac4054394ee
// Bug: Server.OnBoot and OnOpen run the plugin hooks through Registry.Run with context.Background(); each hook is a remote plugin call, so a hung plugin blocks booting and every new client forever.
// Fix: each handler builds context.WithTimeout(context.Background(), s.pluginTimeout) and passes it to pluginRegistry.Run.
// Rule: nodeadline
package gatewayd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"sort"
)

type HookName string

const (
	HookNameOnBooting HookName = "OnBooting"
	HookNameOnBooted  HookName = "OnBooted"
	HookNameOnOpening HookName = "OnOpening"
	HookNameOnOpened  HookName = "OnOpened"
)

type Priority uint

// Method is a hook implemented by a plugin (a gRPC method in upstream).
type Method func(ctx context.Context, args map[string]any) (map[string]any, error)

// pluginClient stands in for the go-plugin gRPC client of one plugin.
type pluginClient struct {
	http *http.Client
	url  string
}

func (p *pluginClient) call(ctx context.Context, hook HookName, args map[string]any) (map[string]any, error) {
	body, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/"+string(hook), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var result map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&result); err != nil {
		return nil, err
	}
	return result, nil
}

// Hook returns the plugin method that is registered for hookName.
func (p *pluginClient) Hook(hookName HookName) Method {
	return func(ctx context.Context, args map[string]any) (map[string]any, error) {
		return p.call(ctx, hookName, args)
	}
}

type Registry struct {
	hooks map[HookName]map[Priority]Method
}

func (reg *Registry) AddHook(hookName HookName, priority Priority, method Method) {
	if reg.hooks == nil {
		reg.hooks = map[HookName]map[Priority]Method{}
	}
	if reg.hooks[hookName] == nil {
		reg.hooks[hookName] = map[Priority]Method{}
	}
	reg.hooks[hookName][priority] = method
}

// Run runs the hooks of hookName in priority order, passing the result of
// the previous hook to the next one.
func (reg *Registry) Run(ctx context.Context, args map[string]any, hookName HookName) (map[string]any, error) {
	if ctx == nil {
		return nil, fmt.Errorf("nil context")
	}

	// Inherit context.
	inheritedCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	priorities := make([]Priority, 0, len(reg.hooks[hookName]))
	for priority := range reg.hooks[hookName] {
		priorities = append(priorities, priority)
	}
	sort.SliceStable(priorities, func(i, j int) bool { return priorities[i] < priorities[j] })

	returnVal := args
	for _, priority := range priorities {
		result, err := reg.hooks[hookName][priority](inheritedCtx, returnVal)
		if err != nil {
			log.Printf("hook %s (priority %d) returned an error: %v", hookName, priority, err)
			continue
		}
		returnVal = result
	}
	return returnVal, nil
}

type Server struct {
	pluginRegistry *Registry
	Status         string
}

// OnBoot is called when the server is booted. It calls the OnBooting and OnBooted hooks.
func (s *Server) OnBoot() {
	// Run the OnBooting hooks.
	_, err := s.pluginRegistry.Run(
		context.Background(),
		map[string]any{"status": s.Status},
		HookNameOnBooting)
	if err != nil {
		log.Printf("Failed to run OnBooting hook: %v", err)
	}

	s.Status = "running"

	// Run the OnBooted hooks.
	_, err = s.pluginRegistry.Run(
		context.Background(),
		map[string]any{"status": s.Status},
		HookNameOnBooted)
	if err != nil {
		log.Printf("Failed to run OnBooted hook: %v", err)
	}
}

// OnOpen is called when a new connection is opened. It calls the OnOpening and OnOpened hooks.
func (s *Server) OnOpen(gconn net.Conn) {
	onOpeningData := map[string]any{
		"client": map[string]any{
			"local":  gconn.LocalAddr().String(),
			"remote": gconn.RemoteAddr().String(),
		},
	}
	_, err := s.pluginRegistry.Run(
		context.Background(), onOpeningData, HookNameOnOpening)
	if err != nil {
		log.Printf("Failed to run OnOpening hook: %v", err)
	}

	onOpenedData := map[string]any{
		"client": map[string]any{
			"local":  gconn.LocalAddr().String(),
			"remote": gconn.RemoteAddr().String(),
		},
	}
	_, err = s.pluginRegistry.Run(
		context.Background(), onOpenedData, HookNameOnOpened)
	if err != nil {
		log.Printf("Failed to run OnOpened hook: %v", err)
	}
}

func NewServer(registry *Registry) *Server {
	return &Server{pluginRegistry: registry, Status: "stopped"}
}

// NewPluginClient wraps the transport of one plugin; like the upstream gRPC
// connection it has no timeout of its own and relies on the ctx of each call.
func NewPluginClient(transport *http.Client, url string) *pluginClient {
	return &pluginClient{http: transport, url: url}
}
