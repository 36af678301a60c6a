// Recall case cc-containerd-creatediff
// Source: github.com/containerd/containerd commit 09b184c15a2f2a4688330ffaa9bc5b4d0c54e848 (rootfs/diff.go)
// Link: https://github.com/containerd/containerd/pull/3582
// Bug: CreateDiff defers sn.Remove(ctx, key) for its temporary view snapshots with the caller's ctx; if ctx was cancelled (e.g. during Compare) the removals fail and the views leak.
// Fix: the deferred removals use dctx, a context.Background() carrying only the namespace.
// Rule: cleanupctx
package rootfs

import (
	"context"
	"fmt"
	"net/http"
)

type (
	Mount      struct{ Type, Source string }
	Descriptor struct{ Digest string }
	Info       struct{ Parent, Kind string }
	nsKey      struct{}
)

// remote stands in for the snapshotter and differ gRPC clients: one request per call.
type remote struct{ addr string }

func (r *remote) call(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (r *remote) Stat(ctx context.Context, key string) (Info, error) {
	return Info{Parent: key + "-parent"}, r.call(ctx, "/stat/"+key)
}
func (r *remote) View(ctx context.Context, key, parent string) ([]Mount, error) {
	return []Mount{{Type: "bind"}}, r.call(ctx, "/view/"+key+"/"+parent)
}
func (r *remote) Mounts(ctx context.Context, key string) ([]Mount, error) {
	return []Mount{{Type: "bind"}}, r.call(ctx, "/mounts/"+key)
}
func (r *remote) Remove(ctx context.Context, key string) error { return r.call(ctx, "/remove/"+key) }
func (r *remote) Compare(ctx context.Context, lower, upper []Mount) (Descriptor, error) {
	return Descriptor{}, r.call(ctx, "/compare")
}

func CreateDiff(ctx context.Context, snapshotID string, sn *remote, d *remote) (Descriptor, error) {
	// dctx is used to handle cleanup things just in case the param ctx
	// has been canceled, which causes that the defer cleanup fails.
	dctx := context.Background()
	if ns, ok := ctx.Value(nsKey{}).(string); ok {
		dctx = context.WithValue(dctx, nsKey{}, ns)
	}

	info, err := sn.Stat(ctx, snapshotID)
	if err != nil {
		return Descriptor{}, err
	}

	lowerKey := fmt.Sprintf("%s-parent-view", info.Parent)
	lower, err := sn.View(ctx, lowerKey, info.Parent)
	if err != nil {
		return Descriptor{}, err
	}
	defer sn.Remove(dctx, lowerKey)

	var upper []Mount
	if info.Kind == "active" {
		upper, err = sn.Mounts(ctx, snapshotID)
		if err != nil {
			return Descriptor{}, err
		}
	} else {
		upperKey := fmt.Sprintf("%s-view", snapshotID)
		upper, err = sn.View(ctx, upperKey, snapshotID)
		if err != nil {
			return Descriptor{}, err
		}
		defer sn.Remove(dctx, upperKey)
	}

	return d.Compare(ctx, lower, upper)
}
