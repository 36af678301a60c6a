// Recall case cc-containerd-unpackabort
// Source: github.com/containerd/containerd commit 0bc9f7b5450bf74d3904019aff417fd8439c90a8 (pkg/unpack/unpacker.go)
// Link: https://github.com/containerd/containerd/pull/7859
// Bug: on <-ctx.Done() the abort closure removes the extraction snapshot with the same, already-cancelled ctx, so the cleanup fails and the snapshot leaks.
// Fix: abort takes a ctx parameter; the ctx.Done() branch calls abort(context.Background()), other branches abort(ctx).
// Rule: cleanupctx
package unpack

import (
	"context"
	"fmt"
	"log"
	"net/http"
)

// Snapshotter stands in for the snapshots.Snapshotter client; each method is an RPC.
type Snapshotter struct{ addr string }

func (s *Snapshotter) call(ctx context.Context, op, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.addr+"/"+op+"/"+key, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (s *Snapshotter) Prepare(ctx context.Context, key string) error {
	return s.call(ctx, "prepare", key)
}
func (s *Snapshotter) Remove(ctx context.Context, key string) error {
	return s.call(ctx, "remove", key)
}
func (s *Snapshotter) Commit(ctx context.Context, key string) error {
	return s.call(ctx, "commit", key)
}

type Unpacker struct{ sn *Snapshotter }

func (u *Unpacker) unpack(ctx context.Context, chainIDs []string, fetchErr <-chan error, fetchC []chan struct{}) error {
	for i, chainID := range chainIDs {
		key := fmt.Sprintf("extract-%d %s", i, chainID)
		if err := u.sn.Prepare(ctx, key); err != nil {
			return fmt.Errorf("failed to prepare extraction snapshot %q: %w", key, err)
		}

		// Abort the snapshot if commit does not happen
		abort := func() {
			if err := u.sn.Remove(ctx, key); err != nil {
				log.Printf("failed to cleanup %q: %v", key, err)
			}
		}

		select {
		case <-ctx.Done():
			abort()
			return ctx.Err()
		case err := <-fetchErr:
			if err != nil {
				abort()
				return err
			}
		case <-fetchC[i]:
		}

		if err := u.sn.Commit(ctx, key); err != nil {
			abort()
			return fmt.Errorf("failed to commit snapshot %s: %w", key, err)
		}
	}
	return nil
}
