// Recall case nd-containers-image-noclienttimeout
// Source: github.com/containers/image commit 940280f64728c9c751a8561b7b9d004f35effb17 (docker/docker_image_src.go)
// Link: https://github.com/containers/image/commit/940280f64728c9c751a8561b7b9d004f35effb17
// Bug: dockerClient.ping and makeRequestToResolvedURL each build a fresh &http.Client{} with no Timeout and send requests made with http.NewRequest (no ctx), so dockerImageSource.GetManifest can hang forever on a stalled registry
// Fix: newDockerClient builds one http.Client with Timeout: 1*time.Minute and ping/makeRequestToResolvedURL use it
// Rule: nodeadline
package imagedocker

import (
	"fmt"
	"io"
	"mime"
	"net/http"
)

type errFetchManifest struct {
	statusCode int
	body       []byte
}

func (e errFetchManifest) Error() string {
	return fmt.Sprintf("error fetching manifest: status code: %d, body: %s", e.statusCode, string(e.body))
}

// dockerReference is reduced to the fields GetManifest needs (the upstream
// type wraps a docker/distribution reference.Named).
type dockerReference struct {
	hostname   string
	remoteName string
	tagOrDig   string
}

type dockerImageSource struct {
	ref dockerReference
	c   *dockerClient
}

// newImageSource creates a new ImageSource for the specified image reference and connection specification.
func newImageSource(ref dockerReference, certPath string, tlsVerify bool) (*dockerImageSource, error) {
	c, err := newDockerClient(ref.hostname, certPath, tlsVerify)
	if err != nil {
		return nil, err
	}
	return &dockerImageSource{
		ref: ref,
		c:   c,
	}, nil
}

// simplifyContentType drops parameters from a HTTP media type (see https://tools.ietf.org/html/rfc7231#section-3.1.1.1)
// Alternatively, an empty string is returned unchanged, and invalid values are "simplified" to an empty string.
func simplifyContentType(contentType string) string {
	if contentType == "" {
		return contentType
	}
	mimeType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return mimeType
}

// GetManifest is the entry point: it fetches the manifest through makeRequest.
func (s *dockerImageSource) GetManifest(mimetypes []string) ([]byte, string, error) {
	url := fmt.Sprintf(manifestURL, s.ref.remoteName, s.ref.tagOrDig)
	headers := make(map[string][]string)
	headers["Accept"] = mimetypes
	res, err := s.c.makeRequest("GET", url, headers, nil)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	manblob, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, "", err
	}
	if res.StatusCode != http.StatusOK {
		return nil, "", errFetchManifest{res.StatusCode, manblob}
	}
	return manblob, simplifyContentType(res.Header.Get("Content-Type")), nil
}

// FetchManifest is a small driver showing the call chain from a caller.
func FetchManifest(hostname, remoteName, tag string) ([]byte, string, error) {
	src, err := newImageSource(dockerReference{hostname: hostname, remoteName: remoteName, tagOrDig: tag}, "", true)
	if err != nil {
		return nil, "", err
	}
	return src.GetManifest([]string{"application/vnd.docker.distribution.manifest.v2+json"})
}
