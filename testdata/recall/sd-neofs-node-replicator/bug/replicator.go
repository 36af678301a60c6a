// Recall case sd-neofs-node-replicator
// Source: github.com/nspcc-dev/neofs-node commit 7393dbe7c208b98c6831df02e2fabb3039d1fb59 (pkg/services/tree/replicator.go)
// Link: https://github.com/nspcc-dev/neofs-node/commit/7393dbe7c208b98c6831df02e2fabb3039d1fb59
// Bug: replicationWorker gives every Apply RPC a fresh context.WithTimeout(context.Background(), replicatorTimeout) (and dials with context.Background()), ignoring the ctx that replicateLoop was started with, so cancelling the service does not abort in-flight replication.
// Fix: replicateLoop passes its ctx to replicationWorker, which derives the per-attempt timeout and the client dial from that ctx and also returns on ctx.Done().
// Rule: sharedeadline
package tree

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
)

func (s *Service) replicationWorker() {
	for {
		select {
		case <-s.closeCh:
			return
		case task := <-s.replicationTasks:
			var lastErr error
			var lastAddr string

			task.n.IterateNetworkEndpoints(func(addr string) bool {
				lastAddr = addr

				c, err := s.cache.get(context.Background(), addr)
				if err != nil {
					lastErr = fmt.Errorf("can't create client: %w", err)
					return false
				}

				ctx, cancel := context.WithTimeout(context.Background(), s.replicatorTimeout)
				_, lastErr = c.Apply(ctx, task.req)
				cancel()

				return lastErr == nil
			})

			if lastErr != nil {
				if errors.Is(lastErr, errRecentlyFailed) {
					log.Printf("do not send update to the node: %v", lastErr)
				} else {
					log.Printf("failed to sent update to the node: %v (address %s, key %s)",
						lastErr, lastAddr, hex.EncodeToString(task.n.PublicKey()))
				}
			}
		}
	}
}

func (s *Service) replicateLoop(ctx context.Context) {
	for range s.replicatorWorkerCount {
		go s.replicationWorker()
	}
	defer func() {
		for len(s.replicationTasks) != 0 {
			<-s.replicationTasks
		}
	}()

	for {
		select {
		case <-s.closeCh:
			return
		case <-ctx.Done():
			return
		case op := <-s.replicateCh:
			err := s.replicate(op)
			if err != nil {
				log.Printf("error during replication: %v (cid %s, treeID %s)", err, op.cid, op.treeID)
			}
		}
	}
}
