// Recall case sd-mutagen-tunnelcreate
// Source: github.com/mutagen-io/mutagen commit 066f4ec2dc7c0b270ea6ee783d6e97f48ab4324e (pkg/tunneling/controller.go)
// Link: https://github.com/mutagen-io/mutagen/commit/066f4ec2dc7c0b270ea6ee783d6e97f48ab4324e
// Bug: newTunnel discards the ctx that Manager.Create passes in (`_ context.Context`) and calls TunnelCreate with context.WithTimeout(context.Background(), tunnelCreateTimeout), so the caller's cancellation and deadline never reach the mutagen.io API request
// Fix: newTunnel keeps the ctx parameter and derives the timeout from it: context.WithTimeout(ctx, tunnelCreateTimeout)
// Rule: sharedeadline
package tunneling

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"sync"
	"time"
)

const (
	// tunnelCreateTimeout is the maximum amount of time allowed for tunnel
	// creation.
	tunnelCreateTimeout = 5 * time.Second
)

// Configuration is reduced from the tunnel configuration message.
type Configuration struct{}

// TunnelHostCredentials is reduced from the Protocol Buffers message.
type TunnelHostCredentials struct {
	Identifier    string
	Token         string
	Secret        []byte
	Configuration *Configuration
}

// Tunnel is reduced from the Protocol Buffers message.
type Tunnel struct {
	Identifier    string
	Token         string
	Secret        []byte
	Configuration *Configuration
	Name          string
	Labels        map[string]string
	Paused        bool
}

// controller manages and executes a single tunnel.
type controller struct {
	tunnel *Tunnel
}

// newTunnel creates a new tunnel and corresponding controller. It also returns
// the parameters needed to host the tunnel.
func newTunnel(
	_ context.Context,
	configuration *Configuration,
	name string,
	labels map[string]string,
	paused bool,
) (*controller, *TunnelHostCredentials, error) {
	// Update status.
	log.Print("Creating tunnel...")

	// Generate the tunnel secret.
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, fmt.Errorf("unable to generate tunnel secret: %w", err)
	}

	// Attempt to create the tunnel via the API.
	ctx, cancel := context.WithTimeout(context.Background(), tunnelCreateTimeout)
	defer cancel()
	identifier, hostToken, clientToken, err := TunnelCreate(ctx)
	if err != nil {
		return nil, nil, err
	}

	// Create the host endpoint parameters.
	hostCredentials := &TunnelHostCredentials{
		Identifier:    identifier,
		Token:         hostToken,
		Secret:        secret,
		Configuration: configuration,
	}

	// Create the tunnel configuration.
	tunnel := &Tunnel{
		Identifier:    identifier,
		Token:         clientToken,
		Secret:        secret,
		Configuration: configuration,
		Name:          name,
		Labels:        labels,
		Paused:        paused,
	}

	// Create the controller. (Saving the tunnel to disk and starting the
	// long-lived connection loop are cut from this reduction.)
	controller := &controller{
		tunnel: tunnel,
	}

	// Success.
	log.Print("Tunnel initialized")
	return controller, hostCredentials, nil
}

// Manager manages and executes tunnels.
type Manager struct {
	tunnelsLock sync.Mutex
	tunnels     map[string]*controller
}

// Create tells the manager to create a new tunnel.
func (m *Manager) Create(
	ctx context.Context,
	configuration *Configuration,
	name string,
	labels map[string]string,
	paused bool,
) (*TunnelHostCredentials, error) {
	// Attempt to create a tunnel.
	controller, hostCredentials, err := newTunnel(
		ctx,
		configuration,
		name,
		labels,
		paused,
	)
	if err != nil {
		return nil, err
	}

	// Register the controller.
	m.tunnelsLock.Lock()
	m.tunnels[controller.tunnel.Identifier] = controller
	m.tunnelsLock.Unlock()

	// Done.
	return hostCredentials, nil
}
