// Recall case cc-containerd-importdelete
// Source: github.com/containerd/containerd commit f01c6d73a6f09c14b6d3668704576702feb58c09 (pkg/containerd/importer/importer.go; originally containerd/cri, history merged into containerd)
// Link: https://github.com/containerd/cri/pull/648
// Bug: on failure the deferred cleanup deletes already-created image refs with the request ctx, which is typically the cancelled/expired ctx that caused the failure.
// Fix: each deferred is.Delete runs with ctrdutil.DeferContext() (context.WithTimeout(context.Background(), 1m)).
// Rule: cleanupctx
package importer

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"
)

type Image struct{ Name, Target string }

// imageStore stands in for the containerd images.Store client; each call is an RPC.
type imageStore struct{ addr string }

func (s *imageStore) call(ctx context.Context, method, name string) error {
	req, err := http.NewRequestWithContext(ctx, method, s.addr+"/images/"+name, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (s *imageStore) Create(ctx context.Context, img Image) (Image, error) {
	return img, s.call(ctx, http.MethodPut, img.Name)
}

func (s *imageStore) Delete(ctx context.Context, name string) error {
	return s.call(ctx, http.MethodDelete, name)
}

type manifestDotJSON struct {
	Config   string
	RepoTags []string
}

// DeferContext returns a context for containerd cleanup operations in defer.
// A default timeout is applied to avoid cleanup operation pending forever.
func DeferContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 1*time.Minute)
}

func Import(ctx context.Context, is *imageStore, mfsts []manifestDotJSON) (_ []string, retErr error) {
	var refs []string
	defer func() {
		if retErr == nil {
			return
		}
		for _, ref := range refs {
			func() {
				deferCtx, deferCancel := DeferContext()
				defer deferCancel()
				if err := is.Delete(deferCtx, ref); err != nil {
					log.Printf("Failed to remove image %q: %v", ref, err)
				}
			}()
		}
	}()
	for _, mfst := range mfsts {
		for _, ref := range mfst.RepoTags {
			ref = "docker.io/library/" + strings.ToLower(ref)
			imgrec := Image{Name: ref, Target: mfst.Config}
			if _, err := is.Create(ctx, imgrec); err != nil {
				return refs, fmt.Errorf("create image ref %+v: %w", imgrec, err)
			}
			refs = append(refs, ref)
		}
	}
	return refs, nil
}
