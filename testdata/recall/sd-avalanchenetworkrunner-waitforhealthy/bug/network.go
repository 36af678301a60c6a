// Recall case sd-avalanchenetworkrunner-waitforhealthy
// Source: github.com/ava-labs/avalanche-network-runner commit b5a8137f6731fe5f08d2ecacfc25d4efe64489aa (server/network.go, server/server.go)
// Link: https://github.com/ava-labs/avalanche-network-runner/commit/b5a8137f6731fe5f08d2ecacfc25d4efe64489aa
// Bug: waitForHealthy, called from the Health RPC handler, builds its own context.WithTimeout(context.Background(), 2*time.Minute), ignoring the RPC caller's ctx and deadline, so a cancelled or shorter-deadline request keeps waiting up to two minutes.
// Fix: waitForHealthy takes the caller's ctx and the handler passes its ctx down; the fixed 2-minute budget was removed.
// Rule: sharedeadline
package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// network is a stand-in for the local network: Healthy polls every node's
// health endpoint until all of them report healthy or ctx is done.
type network struct {
	client *http.Client
	uris   []string
}

func (n *network) Healthy(ctx context.Context) chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			healthy := true
			for _, uri := range n.uris {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri+"/ext/health", nil)
				if err != nil {
					errc <- err
					return
				}
				resp, err := n.client.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						errc <- ctx.Err()
						return
					}
					healthy = false
					break
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					healthy = false
				}
			}
			if healthy {
				errc <- nil
				return
			}
			select {
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			case <-time.After(time.Second):
			}
		}
	}()
	return errc
}

type localNetwork struct {
	nw        *network
	stopc     chan struct{}
	readyc    chan struct{}
	readyOnce sync.Once
}

var errAborted = errors.New("aborted")

var ErrNotBootstrapped = errors.New("not bootstrapped")

type server struct {
	mu      sync.RWMutex
	network *localNetwork
	healthy bool
}

const healthyWait = 2 * time.Minute

func (lc *localNetwork) waitForHealthy() error {
	fmt.Println("waiting for all nodes to report healthy...")

	ctx, cancel := context.WithTimeout(context.Background(), healthyWait)
	defer cancel()
	hc := lc.nw.Healthy(ctx)
	select {
	case <-lc.stopc:
		return errAborted
	case <-ctx.Done():
		return ctx.Err()
	case err := <-hc:
		if err != nil {
			return err
		}
	}

	lc.readyOnce.Do(func() {
		close(lc.readyc)
	})
	return nil
}

func (s *server) Health(ctx context.Context) (bool, error) {
	if s.network == nil {
		return false, ErrNotBootstrapped
	}

	if err := s.network.waitForHealthy(); err != nil {
		return false, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.healthy = true
	return true, nil
}
