// Recall case sd-trivy-podman
// Source: github.com/aquasecurity/trivy commit 2690ac99341dcdf06eb16316d3ca20e6070969b3 (pkg/fanal/image/daemon.go, pkg/fanal/image/daemon/podman.go)
// Link: https://github.com/aquasecurity/trivy/commit/2690ac99341dcdf06eb16316d3ca20e6070969b3
// Bug: tryPodmanDaemon drops the scan ctx (carrying --timeout) and PodmanImage talks to the Podman socket with p.c.Get (no ctx, client without Timeout) and imageOpener(context.Background(), ...), so inspect/history/save ignore the caller deadline.
// Fix: ctx is threaded through tryPodmanDaemon -> PodmanImage -> imageInspect/imageHistoryInspect/imageSave (new p.get builds http.NewRequestWithContext) and imageOpener(ctx, ...).
// Rule: sharedeadline
package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// Image is a reduced daemon.Image.
type Image interface {
	ConfigName() string
	Layers() (string, error)
}

var mu sync.Mutex

// opener exports the image into the local temp file and returns its path
// (the tarball.ImageFromPath step is cut).
type opener func() (string, error)

type imageSave func(context.Context, []string) (io.ReadCloser, error)

func imageOpener(ctx context.Context, ref string, f *os.File, imageSave imageSave) opener {
	return func() (string, error) {
		// Store the tarball in local filesystem and return a new reader into the bytes each time we need to access something.
		rc, err := imageSave(ctx, []string{ref})
		if err != nil {
			return "", fmt.Errorf("unable to export the image: %w", err)
		}
		defer rc.Close()

		if _, err = io.Copy(f, rc); err != nil {
			return "", fmt.Errorf("failed to copy the image: %w", err)
		}
		defer f.Close()

		return f.Name(), nil
	}
}

// image is a wrapper that only exports the image when layers are needed.
type image struct {
	tarPath string
	opener  opener
	inspect ImageInspect
	history []HistoryResponseItem
}

// populateImage initializes an "image" struct.
func (img *image) populateImage() (err error) {
	mu.Lock()
	defer mu.Unlock()

	if img.tarPath != "" {
		return nil
	}

	img.tarPath, err = img.opener()
	if err != nil {
		return fmt.Errorf("unable to open: %w", err)
	}

	return nil
}

func (img *image) ConfigName() string {
	return img.inspect.ID
}

func (img *image) Layers() (string, error) {
	if err := img.populateImage(); err != nil {
		return "", err
	}
	return img.tarPath, nil
}
