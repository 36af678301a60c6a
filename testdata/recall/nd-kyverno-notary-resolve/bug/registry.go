// Recall case nd-kyverno-notary-resolve
// Source: github.com/kyverno/kyverno commit f552052bb28aae0fb244dcdd607e90bac3bf5252 (pkg/image/verifiers/cpol/notary/registry.go)
// Link: https://github.com/kyverno/kyverno/commit/f552052bb28aae0fb244dcdd607e90bac3bf5252
// Bug: resolveDigestCrane is called from parseReferenceCrane, which has the verification ctx, but it resolves the digest against the remote registry with context.Background(), so the registry HEAD request has no deadline and ignores cancellation.
// Fix: thread the caller's ctx into resolveDigestCrane and pass it to repo.Resolve.
// Rule: nodeadline
package notary

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Reference is a reduced stand-in for go-containerregistry's name.Reference.
type Reference struct {
	Registry   string
	Repository string
	Tag        string
	Digest     string
}

func (r Reference) Identifier() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

// RemoteOption is a reduced stand-in for gcrremote.Option.
type RemoteOption func(*http.Client)

// Descriptor is a reduced stand-in for ocispec.Descriptor.
type Descriptor struct {
	MediaType string
	Digest    string
	Size      int64
}

// Repository is the notation registry.Repository interface (reduced).
type Repository interface {
	Resolve(ctx context.Context, reference string) (Descriptor, error)
}

// RegistryClient is a reduced stand-in for verifiers.Client.
type RegistryClient interface {
	Options(ctx context.Context) ([]RemoteOption, error)
}

type parsedReference struct {
	Repo       Repository
	RemoteOpts []RemoteOption
	Ref        Reference
	Desc       Descriptor
}

type repositoryClient struct {
	ref        Reference
	remoteOpts []RemoteOption
}

func newRepository(remoteOpts []RemoteOption, ref Reference) Repository {
	return &repositoryClient{remoteOpts: remoteOpts, ref: ref}
}

func (c *repositoryClient) httpClient() *http.Client {
	cl := &http.Client{}
	for _, o := range c.remoteOpts {
		o(cl)
	}
	return cl
}

// Resolve issues a manifest HEAD request against the registry with the given ctx.
func (c *repositoryClient) Resolve(ctx context.Context, reference string) (Descriptor, error) {
	url := fmt.Sprintf("https://%s/v2/%s/manifests/%s", c.ref.Registry, c.ref.Repository, reference)
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return Descriptor{}, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return Descriptor{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Descriptor{}, fmt.Errorf("HEAD %s: %s", url, resp.Status)
	}
	return Descriptor{
		MediaType: resp.Header.Get("Content-Type"),
		Digest:    resp.Header.Get("Docker-Content-Digest"),
		Size:      resp.ContentLength,
	}, nil
}

func parseReference(ref string) (Reference, error) {
	parts := strings.SplitN(ref, "/", 2)
	if len(parts) != 2 {
		return Reference{}, errors.New("invalid reference")
	}
	r := Reference{Registry: parts[0]}
	rest := parts[1]
	if i := strings.Index(rest, "@"); i >= 0 {
		r.Repository, r.Digest = rest[:i], rest[i+1:]
	} else if i := strings.LastIndex(rest, ":"); i >= 0 {
		r.Repository, r.Tag = rest[:i], rest[i+1:]
	} else {
		r.Repository, r.Tag = rest, "latest"
	}
	return r, nil
}

func parseReferenceCrane(ctx context.Context, ref string, registryClient RegistryClient) (*parsedReference, error) {
	nameRef, err := parseReference(ref)
	if err != nil {
		return nil, err
	}

	remoteOpts, err := registryClient.Options(ctx)
	if err != nil {
		return nil, err
	}

	repository := newRepository(remoteOpts, nameRef)
	desc, err := repository.Resolve(ctx, nameRef.Identifier())
	if err != nil {
		return nil, err
	}

	if !isDigestReference(ref) {
		nameRef.Digest = desc.Digest
		repository = newRepository(remoteOpts, nameRef)
	}

	err = resolveDigestCrane(repository, remoteOpts, nameRef)
	if err != nil {
		return nil, fmt.Errorf("failed to resolve digest: %w", err)
	}

	return &parsedReference{
		Repo:       repository,
		RemoteOpts: remoteOpts,
		Ref:        nameRef,
		Desc:       desc,
	}, nil
}

func isDigestReference(reference string) bool {
	parts := strings.SplitN(reference, "/", 2)
	if len(parts) == 1 {
		return false
	}

	index := strings.Index(parts[1], "@")
	return index != -1
}

func resolveDigestCrane(repo Repository, remoteOpts []RemoteOption, ref Reference) error {
	_, err := repo.Resolve(context.Background(), ref.Identifier())
	if err != nil {
		return err
	}
	return nil
}
