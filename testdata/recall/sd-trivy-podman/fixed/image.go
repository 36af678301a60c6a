// Recall case sd-trivy-podman
// Source: github.com/aquasecurity/trivy commit 2690ac99341dcdf06eb16316d3ca20e6070969b3 (pkg/fanal/image/daemon.go, pkg/fanal/image/daemon/podman.go)
// Link: https://github.com/aquasecurity/trivy/commit/2690ac99341dcdf06eb16316d3ca20e6070969b3
// Bug: tryPodmanDaemon drops the scan ctx (carrying --timeout) and PodmanImage talks to the Podman socket with p.c.Get (no ctx, client without Timeout) and imageOpener(context.Background(), ...), so inspect/history/save ignore the caller deadline.
// Fix: ctx is threaded through tryPodmanDaemon -> PodmanImage -> imageInspect/imageHistoryInspect/imageSave (new p.get builds http.NewRequestWithContext) and imageOpener(ctx, ...).
// Rule: sharedeadline
package image

import (
	"context"
	"errors"
	"fmt"
	"log"
)

// ImageSource is a source to look images up in.
type ImageSource string

// PodmanImageSource is the only source kept in this reduction.
const PodmanImageSource ImageSource = "podman"

// PodmanOptions holds the podman socket.
type PodmanOptions struct {
	Host string
}

// ImageOptions is the subset of types.ImageOptions used here.
type ImageOptions struct {
	ImageSources  []ImageSource
	PodmanOptions PodmanOptions
}

type imageSourceFunc func(ctx context.Context, imageName string, option ImageOptions) (Image, func(), error)

var imageSourceFuncs = map[ImageSource]imageSourceFunc{
	PodmanImageSource: tryPodmanDaemon,
}

// NewContainerImage looks the image up in each configured source; ctx carries the scan --timeout.
func NewContainerImage(ctx context.Context, imageName string, opt ImageOptions) (Image, func(), error) {
	if len(opt.ImageSources) == 0 {
		return nil, func() {}, errors.New("no image sources supplied")
	}

	var errs error
	for _, src := range opt.ImageSources {
		trySrc, ok := imageSourceFuncs[src]
		if !ok {
			log.Printf("Unknown image source %s", src)
			continue
		}

		img, cleanup, err := trySrc(ctx, imageName, opt)
		if err == nil {
			return img, cleanup, nil
		}
		errs = errors.Join(errs, fmt.Errorf("%s error: %w", src, err))
	}

	return nil, func() {}, fmt.Errorf("unable to find the specified image %q in %q: %w", imageName, opt.ImageSources, errs)
}

func tryPodmanDaemon(ctx context.Context, imageName string, opts ImageOptions) (Image, func(), error) {
	img, cleanup, err := PodmanImage(ctx, imageName, opts.PodmanOptions.Host)
	if err != nil {
		return nil, nil, err
	}
	return img, cleanup, nil
}
