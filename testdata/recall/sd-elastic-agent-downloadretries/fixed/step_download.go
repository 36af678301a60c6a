// Recall case sd-elastic-agent-downloadretries
// Source: github.com/elastic/elastic-agent commit ae7615fd88a53cce4e1e56a6a19755bae187dcbd (internal/pkg/agent/application/upgrade/step_download.go)
// Link: https://github.com/elastic/elastic-agent/commit/ae7615fd88a53cce4e1e56a6a19755bae187dcbd
// Bug: downloadWithRetries receives the caller's ctx but shadows it with context.WithTimeout(context.Background(), u.settings.Timeout), so the retried artifact downloads get a fresh budget that ignores the caller's cancellation and deadline.
// Fix: The timeout context is derived from the passed-in ctx: context.WithTimeout(ctx, u.settings.Timeout).
// Rule: sharedeadline
package upgrade

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

const agentArtifact = "elastic-agent"

// Config stands in for artifact.Config.
type Config struct {
	SourceURI                string
	TargetDirectory          string
	Timeout                  time.Duration
	RetryBackoffInitDuration time.Duration
	RetryMaxCount            int
}

// Downloader stands in for download.Downloader.
type Downloader interface {
	Download(ctx context.Context, artifactName, version string) (string, error)
}

// httpDownloader fetches the artifact over HTTP with the given ctx.
type httpDownloader struct {
	client   *http.Client
	settings *Config
}

func newDownloader(version string, settings *Config) (Downloader, error) {
	// HTTPTransportSettings.Client() sets the client Timeout from the settings.
	return &httpDownloader{client: &http.Client{Timeout: settings.Timeout}, settings: settings}, nil
}

func (d *httpDownloader) Download(ctx context.Context, artifactName, version string) (string, error) {
	url := fmt.Sprintf("%s/%s-%s.tar.gz", d.settings.SourceURI, artifactName, version)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
	path := filepath.Join(d.settings.TargetDirectory, filepath.Base(url))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return "", err
	}
	return path, nil
}

// retryNotify is a stand-in for backoff.RetryNotify(op, backoff.WithContext(
// backoff.WithMaxRetries(expBo, max), ctx), notify).
func retryNotify(ctx context.Context, op func() error, maxRetries int, initInterval time.Duration, notify func(error, time.Duration)) error {
	interval := initInterval
	for i := 0; ; i++ {
		err := op()
		if err == nil {
			return nil
		}
		if i >= maxRetries {
			return err
		}
		if notify != nil {
			notify(err, interval)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		interval *= 2
	}
}

type Upgrader struct {
	settings *Config
	log      *log.Logger
}

func (u *Upgrader) downloadArtifact(ctx context.Context, version, sourceURI string) (string, error) {
	// do not update source config
	settings := *u.settings
	if sourceURI != "" {
		settings.SourceURI = sourceURI
	}

	if err := os.MkdirAll(settings.TargetDirectory, 0750); err != nil {
		return "", fmt.Errorf("failed to create download directory at %s: %w", settings.TargetDirectory, err)
	}

	path, err := u.downloadWithRetries(ctx, newDownloader, version, &settings)
	if err != nil {
		return "", err
	}
	return path, nil
}

func (u *Upgrader) downloadWithRetries(
	ctx context.Context,
	downloaderCtor func(string, *Config) (Downloader, error),
	version string,
	settings *Config,
) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, u.settings.Timeout)
	defer cancel()

	var path string
	var attempt uint

	opFn := func() error {
		attempt++
		u.log.Printf("download attempt %d of %d", attempt, settings.RetryMaxCount+1)

		downloader, err := downloaderCtor(version, settings)
		if err != nil {
			return fmt.Errorf("unable to create fetcher: %w", err)
		}

		path, err = downloader.Download(ctx, agentArtifact, version)
		if err != nil {
			return fmt.Errorf("unable to download package: %w", err)
		}

		// Download successful
		return nil
	}

	opFailureNotificationFn := func(err error, retryAfter time.Duration) {
		u.log.Printf("%s; retrying (will be retry %d of %d) in %s.", err.Error(), attempt, settings.RetryMaxCount, retryAfter)
	}

	if err := retryNotify(ctx, opFn, settings.RetryMaxCount, settings.RetryBackoffInitDuration, opFailureNotificationFn); err != nil {
		return "", err
	}

	return path, nil
}
