// Recall case nd-knative-digest
// Source: github.com/knative/serving commit 7c3349129b9e6ab80e1a4abbb2ff17f5b7d601d3 (pkg/reconciler/revision/resolve.go)
// Link: https://github.com/knative/serving/commit/7c3349129b9e6ab80e1a4abbb2ff17f5b7d601d3
// Bug: reconcileDigest calls digestResolver.Resolve, which calls remote.Get without any context (library default context.Background()) over an http.Client with no Timeout, so a stalled registry blocks the revision reconciler forever
// Fix: Resolve takes a ctx and passes remote.WithContext(ctx); reconcileDigest wraps each resolution in context.WithTimeout(ctx, digestResolutionTimeout)
// Rule: nodeadline
package revision

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

type digestResolver struct {
	transport http.RoundTripper
}

const (
	// Kubernetes CA certificate bundle is mounted into the pod here.
	k8sCertPath = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
)

// newResolverTransport returns an http.Transport that appends the certs bundle
// at path to the system cert pool.
func newResolverTransport(path string) (*http.Transport, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}

	if crt, err := os.ReadFile(path); err != nil {
		return nil, err
	} else if ok := pool.AppendCertsFromPEM(crt); !ok {
		return nil, errors.New("failed to append k8s cert bundle to cert pool")
	}

	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		// Use the cert pool with k8s cert bundle appended.
		TLSClientConfig: &tls.Config{
			RootCAs: pool,
		},
	}, nil
}

// Resolve resolves the image references that use tags to digests.
func (r *digestResolver) Resolve(
	image string,
	registriesToSkip map[string]struct{}) (string, error) {
	if strings.Contains(image, "@sha256:") {
		// Already a digest
		return image, nil
	}

	tag, err := newTag(image)
	if err != nil {
		return "", fmt.Errorf("failed to parse image name %q into a tag: %w", image, err)
	}

	if _, skip := registriesToSkip[tag.registry]; skip {
		return "", nil
	}

	// go-containerregistry: remote.Get(tag, remote.WithTransport(r.transport), ...)
	// without remote.WithContext runs the request with context.Background().
	desc, err := remoteGet(context.Background(), tag, r.transport)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s@%s", tag.registry, tag.repository, desc.digest), nil
}

// --- stand-ins for github.com/google/go-containerregistry name / remote ---

type imageTag struct {
	registry   string
	repository string
	tag        string
}

func newTag(image string) (imageTag, error) {
	slash := strings.Index(image, "/")
	if slash < 0 {
		return imageTag{}, fmt.Errorf("missing registry in %q", image)
	}
	reg, rest := image[:slash], image[slash+1:]
	repo, tag := rest, "latest"
	if colon := strings.LastIndex(rest, ":"); colon >= 0 {
		repo, tag = rest[:colon], rest[colon+1:]
	}
	if repo == "" || tag == "" {
		return imageTag{}, fmt.Errorf("invalid image reference %q", image)
	}
	return imageTag{registry: reg, repository: repo, tag: tag}, nil
}

type descriptor struct {
	digest string
}

// remoteGet mirrors remote.Get: it fetches the manifest for ref through an
// http.Client built around the supplied transport (no client Timeout), using
// the request context from the options.
func remoteGet(ctx context.Context, ref imageTag, transport http.RoundTripper) (*descriptor, error) {
	client := &http.Client{Transport: transport}
	u := fmt.Sprintf("https://%s/v2/%s/manifests/%s", ref.registry, ref.repository, ref.tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("unexpected status code %d fetching manifest", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if d := resp.Header.Get("Docker-Content-Digest"); d != "" {
		return &descriptor{digest: d}, nil
	}
	return &descriptor{digest: fmt.Sprintf("sha256:%x", sha256.Sum256(b))}, nil
}

// newReconciler wires the digest resolver the way the revision controller does.
func newReconciler(registriesSkippingTagResolving map[string]struct{}) (*Reconciler, error) {
	transport, err := newResolverTransport(k8sCertPath)
	if err != nil {
		return nil, err
	}
	return &Reconciler{
		resolver:                       &digestResolver{transport: transport},
		registriesSkippingTagResolving: registriesSkippingTagResolving,
	}, nil
}
