// Recall case nd-knative-digest
// Source: github.com/knative/serving commit 7c3349129b9e6ab80e1a4abbb2ff17f5b7d601d3 (pkg/reconciler/revision/revision.go, pkg/reconciler/revision/resolve.go)
// Link: https://github.com/knative/serving/commit/7c3349129b9e6ab80e1a4abbb2ff17f5b7d601d3
// Bug: reconcileDigest calls digestResolver.Resolve, which calls remote.Get without any context (library default context.Background()) over an http.Client with no Timeout, so a stalled registry blocks the revision reconciler forever
// Fix: Resolve takes a ctx and passes remote.WithContext(ctx); reconcileDigest wraps each resolution in context.WithTimeout(ctx, digestResolutionTimeout)
// Rule: nodeadline
package revision

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

const digestResolutionTimeout = 60 * time.Second

type resolver interface {
	Resolve(context.Context, string, map[string]struct{}) (string, error)
}

// Container / Revision are reduced versions of the knative v1 API types.
type Container struct {
	Name  string
	Image string
	Ports []int32
}

type ContainerStatuses struct {
	Name        string
	ImageDigest string
}

type RevisionSpec struct {
	Containers         []Container
	ServiceAccountName string
}

type RevisionStatus struct {
	ContainerStatuses     []ContainerStatuses
	DeprecatedImageDigest string
	ContainerHealthyError string
}

type Revision struct {
	Namespace string
	Spec      RevisionSpec
	Status    RevisionStatus
}

// Reconciler implements controller.Reconciler for Revision resources.
type Reconciler struct {
	resolver resolver

	// registriesSkippingTagResolving comes from config.FromContext(ctx).Deployment upstream.
	registriesSkippingTagResolving map[string]struct{}
}

func (c *Reconciler) reconcileDigest(ctx context.Context, rev *Revision) error {
	if rev.Status.ContainerStatuses == nil {
		rev.Status.ContainerStatuses = make([]ContainerStatuses, 0, len(rev.Spec.Containers))
	}

	// The image digest has already been resolved.
	if len(rev.Status.ContainerStatuses) == len(rev.Spec.Containers) {
		return nil
	}

	var digestGrp errGroup
	containerStatuses := make([]ContainerStatuses, len(rev.Spec.Containers))
	for i, container := range rev.Spec.Containers {
		container := container // Standard Go concurrency pattern.
		i := i
		digestGrp.Go(func() error {
			ctx, cancel := context.WithTimeout(ctx, digestResolutionTimeout)
			defer cancel()

			digest, err := c.resolver.Resolve(ctx, container.Image,
				c.registriesSkippingTagResolving)
			if err != nil {
				return errors.New(fmt.Sprintf("Unable to fetch image %q: failed to resolve image to digest: %v", container.Image, err))
			}
			if len(rev.Spec.Containers) == 1 || len(container.Ports) != 0 {
				rev.Status.DeprecatedImageDigest = digest
			}
			containerStatuses[i] = ContainerStatuses{
				Name:        container.Name,
				ImageDigest: digest,
			}
			return nil
		})
	}
	if err := digestGrp.Wait(); err != nil {
		rev.Status.ContainerHealthyError = err.Error()
		return err
	}
	rev.Status.ContainerStatuses = containerStatuses
	return nil
}

// ReconcileKind is the reconciler entry point (reduced to the digest phase).
func (c *Reconciler) ReconcileKind(ctx context.Context, rev *Revision) error {
	phases := []struct {
		name string
		f    func(context.Context, *Revision) error
	}{{
		name: "image digest",
		f:    c.reconcileDigest,
	}}

	for _, phase := range phases {
		if err := phase.f(ctx, rev); err != nil {
			return fmt.Errorf("failed to reconcile %s: %w", phase.name, err)
		}
	}
	return nil
}

// errGroup is a minimal stand-in for golang.org/x/sync/errgroup.Group (no context).
type errGroup struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func (g *errGroup) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() { g.err = err })
		}
	}()
}

func (g *errGroup) Wait() error {
	g.wg.Wait()
	return g.err
}
