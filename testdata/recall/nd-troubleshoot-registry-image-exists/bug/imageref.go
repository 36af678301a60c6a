// Recall case nd-troubleshoot-registry-image-exists
// Source: github.com/replicatedhq/troubleshoot commit f352396e2e2a4d1ceec9227872c13753ad36eeff (pkg/collect/registry.go)
// Link: https://github.com/replicatedhq/troubleshoot/commit/f352396e2e2a4d1ceec9227872c13753ad36eeff
// Bug: imageExists queries the remote registry via imageRef.NewImage(context.Background(), ...) with no deadline, so an unresponsive registry hangs the registry collector (and the whole support-bundle run) indefinitely.
// Fix: Each attempt now runs under context.WithTimeout(context.Background(), deadline) (10s by default) and a DeadlineExceeded stops the retries.
// Rule: nodeadline
package collect

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// SystemContext is a stand-in for containers/image types.SystemContext.
type SystemContext struct {
	DockerDisableV1Ping         bool
	DockerInsecureSkipTLSVerify bool
	DockerAuthConfig            *DockerAuthConfig
}

type DockerAuthConfig struct {
	Username string
	Password string
}

// ImageReference is a stand-in for containers/image types.ImageReference.
type ImageReference interface {
	NewImage(ctx context.Context, sys *SystemContext) (Image, error)
}

type Image interface {
	Close() error
}

type dockerReference struct {
	registry, repo, tag string
}

type remoteImage struct{ manifest *http.Response }

func (i *remoteImage) Close() error { return i.manifest.Body.Close() }

// ParseImageName is a stand-in for alltransports.ParseImageName("docker://...").
func ParseImageName(name string) (ImageReference, error) {
	name = strings.TrimPrefix(name, "docker://")
	slash := strings.Index(name, "/")
	if slash < 0 {
		return nil, fmt.Errorf("invalid image name %q", name)
	}
	repo, tag, ok := strings.Cut(name[slash+1:], ":")
	if !ok {
		tag = "latest"
	}
	return &dockerReference{registry: name[:slash], repo: repo, tag: tag}, nil
}

// NewImage fetches the manifest from the registry, honouring ctx.
func (r *dockerReference) NewImage(ctx context.Context, sys *SystemContext) (Image, error) {
	url := fmt.Sprintf("https://%s/v2/%s/manifests/%s", r.registry, r.repo, r.tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if sys != nil && sys.DockerAuthConfig != nil {
		req.SetBasicAuth(sys.DockerAuthConfig.Username, sys.DockerAuthConfig.Password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, errManifestUnknown
	}
	return &remoteImage{manifest: resp}, nil
}
