// Recall case nd-dapr-grpcdial
// Source: github.com/dapr/dapr commit f94737cdd11a81828faaf572381e7b5866c85288 (pkg/grpc/grpc.go)
// Link: https://github.com/dapr/dapr/commit/f94737cdd11a81828faaf572381e7b5866c85288   (PR https://github.com/dapr/dapr/pull/1623)
// Bug: Manager.GetGRPCConnection calls grpc.Dial(addr, WithBlock()) with no context, so CreateLocalChannel/any caller can block forever while holding g.lock if the target never answers.
// Fix: dial with grpc.DialContext under context.WithTimeout(context.Background(), dialTimeout) (5s).
// Rule: nodeadline
package grpc

import (
	"crypto/tls"
	"fmt"
	"sync"
)

const (
	// needed to load balance requests for target services with multiple endpoints, ie. multiple instances
	grpcServiceConfig = `{"loadBalancingPolicy":"round_robin"}`
)

// Manager is a wrapper around gRPC connection pooling
type Manager struct {
	AppClient      *ClientConn
	lock           *sync.Mutex
	connectionPool map[string]*ClientConn
	auth           Authenticator
	mode           DaprMode
}

// NewGRPCManager returns a new grpc manager
func NewGRPCManager(mode DaprMode) *Manager {
	return &Manager{
		lock:           &sync.Mutex{},
		connectionPool: map[string]*ClientConn{},
		mode:           mode,
	}
}

// SetAuthenticator sets the gRPC manager a tls authenticator context
func (g *Manager) SetAuthenticator(auth Authenticator) {
	g.auth = auth
}

// CreateLocalChannel creates a new gRPC AppChannel
func (g *Manager) CreateLocalChannel(port int) (*ClientConn, error) {
	conn, err := g.GetGRPCConnection(fmt.Sprintf("127.0.0.1:%v", port), "", true, false)
	if err != nil {
		return nil, fmt.Errorf("error establishing connection to app grpc on port %v: %s", port, err)
	}

	g.AppClient = conn
	return conn, nil
}

// GetGRPCConnection returns a new grpc connection for a given address and inits one if doesn't exist
func (g *Manager) GetGRPCConnection(address, id string, skipTLS, recreateIfExists bool) (*ClientConn, error) {
	if val, ok := g.connectionPool[address]; ok && !recreateIfExists {
		return val, nil
	}

	g.lock.Lock()
	if val, ok := g.connectionPool[address]; ok && !recreateIfExists {
		g.lock.Unlock()
		return val, nil
	}

	opts := []DialOption{
		WithBlock(),
		WithDefaultServiceConfig(grpcServiceConfig),
	}

	if !skipTLS && g.auth != nil {
		signedCert := g.auth.GetCurrentSignedCert()
		cert, err := tls.X509KeyPair(signedCert.WorkloadCert, signedCert.PrivateKeyPem)
		if err != nil {
			return nil, fmt.Errorf("error generating x509 Key Pair: %s", err)
		}

		ta := &tls.Config{
			ServerName:   id,
			Certificates: []tls.Certificate{cert},
		}
		opts = append(opts, WithTransportCredentials(ta))
	} else {
		opts = append(opts, WithInsecure())
	}

	dialPrefix := GetDialAddressPrefix(g.mode)
	conn, err := Dial(dialPrefix+address, opts...)
	if err != nil {
		g.lock.Unlock()
		return nil, err
	}

	g.connectionPool[address] = conn
	g.lock.Unlock()

	return conn, nil
}
