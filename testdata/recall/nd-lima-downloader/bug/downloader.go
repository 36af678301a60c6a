// Recall case nd-lima-downloader
// Source: github.com/lima-vm/lima commit 04c753344989952be291ae7ff92b717637200548 (pkg/downloader/downloader.go)
// Link: https://github.com/lima-vm/lima/commit/04c753344989952be291ae7ff92b717637200548
// Bug: DownloadFile -> downloader.Download -> downloadHTTP fetches the image with http.Get(url), i.e. http.DefaultClient (no Timeout) and a request without any context, so a stalled mirror hangs `limactl start` forever and cannot be cancelled.
// Fix: ctx is threaded from DownloadFile through Download into downloadHTTP, which now uses httpclientutil.Get(ctx, http.DefaultClient, url) (http.NewRequestWithContext).
// Rule: nodeadline
package downloader

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Status is the result status of Download.
type Status = string

const (
	StatusUnknown    Status = ""
	StatusDownloaded Status = "downloaded"
	StatusSkipped    Status = "skipped"
	StatusUsedCache  Status = "used-cache"
)

// Result is returned by Download.
type Result struct {
	Status          Status
	CachePath       string
	ValidatedDigest bool
}

type options struct {
	cacheDir       string
	description    string
	expectedDigest string // hex sha256
}

// Opt is a Download option.
type Opt func(*options) error

// WithCacheDir enables caching in dir.
func WithCacheDir(dir string) Opt {
	return func(o *options) error {
		o.cacheDir = dir
		return nil
	}
}

// WithDescription adds a user description of the download.
func WithDescription(description string) Opt {
	return func(o *options) error {
		o.description = description
		return nil
	}
}

// WithExpectedDigest adds an expected sha256 digest (hex).
func WithExpectedDigest(expectedDigest string) Opt {
	return func(o *options) error {
		o.expectedDigest = expectedDigest
		return nil
	}
}

// Download downloads the remote resource into the local path.
func Download(local, remote string, opts ...Opt) (*Result, error) {
	var o options
	for _, f := range opts {
		if err := f(&o); err != nil {
			return nil, err
		}
	}
	localPath, err := filepath.Abs(local)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(localPath); err == nil {
		res := &Result{
			Status:          StatusSkipped,
			ValidatedDigest: false,
		}
		return res, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(localPath), 0o755); err != nil {
		return nil, err
	}

	if o.cacheDir == "" {
		if err := downloadHTTP(localPath, remote, o.description, o.expectedDigest); err != nil {
			return nil, err
		}
		res := &Result{
			Status:          StatusDownloaded,
			ValidatedDigest: o.expectedDigest != "",
		}
		return res, nil
	}

	sum := sha256.Sum256([]byte(remote))
	shad := filepath.Join(o.cacheDir, hex.EncodeToString(sum[:]))
	shadData := filepath.Join(shad, "data")
	if _, err := os.Stat(shadData); err == nil {
		if err := copyLocal(localPath, shadData); err != nil {
			return nil, err
		}
		res := &Result{
			Status:          StatusUsedCache,
			CachePath:       shadData,
			ValidatedDigest: o.expectedDigest != "",
		}
		return res, nil
	}
	if err := os.MkdirAll(shad, 0o700); err != nil {
		return nil, err
	}
	if err := downloadHTTP(shadData, remote, o.description, o.expectedDigest); err != nil {
		return nil, err
	}
	if err := copyLocal(localPath, shadData); err != nil {
		return nil, err
	}
	res := &Result{
		Status:          StatusDownloaded,
		CachePath:       shadData,
		ValidatedDigest: o.expectedDigest != "",
	}
	return res, nil
}

func copyLocal(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func downloadHTTP(localPath, url, description string, expectedDigest string) error {
	if localPath == "" {
		return fmt.Errorf("downloadHTTP: got empty localPath")
	}
	log.Printf("downloading %q into %q", url, localPath)
	localPathTmp := localPath + ".tmp"
	if err := os.RemoveAll(localPathTmp); err != nil {
		return err
	}
	fileWriter, err := os.Create(localPathTmp)
	if err != nil {
		return err
	}
	defer fileWriter.Close()

	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("expected HTTP status %d, got %s", http.StatusOK, resp.Status)
	}

	writers := []io.Writer{fileWriter}
	var hasher hash.Hash
	if expectedDigest != "" {
		hasher = sha256.New()
		writers = append(writers, hasher)
	}
	multiWriter := io.MultiWriter(writers...)

	if description == "" {
		description = url
	}
	fmt.Fprintf(os.Stderr, "Downloading %s\n", description)
	if _, err := io.Copy(multiWriter, resp.Body); err != nil {
		return err
	}

	if hasher != nil {
		actualDigest := hex.EncodeToString(hasher.Sum(nil))
		if !strings.EqualFold(actualDigest, expectedDigest) {
			return fmt.Errorf("expected digest %q, got %q", expectedDigest, actualDigest)
		}
	}

	if err := fileWriter.Sync(); err != nil {
		return err
	}
	if err := fileWriter.Close(); err != nil {
		return err
	}
	if err := os.RemoveAll(localPath); err != nil {
		return err
	}
	return os.Rename(localPathTmp, localPath)
}
