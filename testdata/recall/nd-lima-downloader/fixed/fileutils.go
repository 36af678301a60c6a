// Recall case nd-lima-downloader
// Source: github.com/lima-vm/lima commit 04c753344989952be291ae7ff92b717637200548 (pkg/downloader/downloader.go)
// Link: https://github.com/lima-vm/lima/commit/04c753344989952be291ae7ff92b717637200548
// Bug: DownloadFile -> downloader.Download -> downloadHTTP fetches the image with http.Get(url), i.e. http.DefaultClient (no Timeout) and a request without any context, so a stalled mirror hangs `limactl start` forever and cannot be cancelled.
// Fix: ctx is threaded from DownloadFile through Download into downloadHTTP, which now uses httpclientutil.Get(ctx, http.DefaultClient, url) (http.NewRequestWithContext).
// Rule: nodeadline
package downloader

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path"
)

// File is the reduced limayaml.File.
type File struct {
	Location string
	Arch     string
	Digest   string
}

// ErrSkipped is returned when the downloader did not download anything.
var ErrSkipped = errors.New("skipped to download")

// DownloadFile downloads a file to the cache, optionally copying it to the destination. Returns path in cache.
// (pkg/fileutils/download.go)
func DownloadFile(ctx context.Context, dest string, f File, cacheDir, description string, expectedArch string) (string, error) {
	if f.Arch != expectedArch {
		return "", fmt.Errorf("%w: %q: unsupported arch: %q", ErrSkipped, f.Location, f.Arch)
	}
	log.Printf("Attempting to download %s from %q", description, f.Location)
	res, err := Download(ctx, dest, f.Location,
		WithCacheDir(cacheDir),
		WithDescription(fmt.Sprintf("%s (%s)", description, path.Base(f.Location))),
		WithExpectedDigest(f.Digest),
	)
	if err != nil {
		return "", fmt.Errorf("failed to download %q: %w", f.Location, err)
	}
	switch res.Status {
	case StatusDownloaded:
		log.Printf("Downloaded %s from %q", description, f.Location)
	case StatusUsedCache:
		log.Printf("Using cache %q", res.CachePath)
	default:
		log.Printf("Unexpected result from downloader.Download(): %+v", res)
	}
	return res.CachePath, nil
}
