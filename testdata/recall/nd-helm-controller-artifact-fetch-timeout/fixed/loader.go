// Recall case nd-helm-controller-artifact-fetch-timeout
// Source: github.com/fluxcd/helm-controller commit 211765ca5a6270ea80334671200486060bf0fab4 (internal/loader/client.go)
// Link: https://github.com/fluxcd/helm-controller/pull/1464
// Bug: reconcileRelease downloads the chart via SecureLoadChartFromURL with a client from NewRetryableHTTPClient whose HTTPClient has no Timeout and a request built without a context, so a stalled source-controller blocks the reconcile worker forever.
// Fix: NewRetryableHTTPClient takes a timeout (--http-timeout, default 30s) and sets httpClient.HTTPClient.Timeout.
// Rule: nodeadline
package helmctl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
)

// ---------------------------------------------------------------------------
// Stub of github.com/hashicorp/go-retryablehttp (only what the loader uses).
// retryablehttp.NewClient() uses cleanhttp.DefaultPooledClient(): a pooled
// transport with dial/TLS timeouts but no response timeout and no
// http.Client.Timeout.
// ---------------------------------------------------------------------------

type leveledLogger interface {
	Error(msg string, keysAndValues ...any)
	Info(msg string, keysAndValues ...any)
	Debug(msg string, keysAndValues ...any)
	Warn(msg string, keysAndValues ...any)
}

type retryableClient struct {
	HTTPClient   *http.Client
	Logger       leveledLogger
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	RetryMax     int
}

func newRetryableClient() *retryableClient {
	return &retryableClient{
		HTTPClient: &http.Client{
			Transport: &http.Transport{
				Proxy: http.ProxyFromEnvironment,
				DialContext: (&net.Dialer{
					Timeout:   30 * time.Second,
					KeepAlive: 30 * time.Second,
				}).DialContext,
				MaxIdleConns:          100,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   10 * time.Second,
				ExpectContinueTimeout: 1 * time.Second,
				MaxIdleConnsPerHost:   runtime.GOMAXPROCS(0) + 1,
			},
		},
		RetryWaitMin: 1 * time.Second,
		RetryWaitMax: 30 * time.Second,
		RetryMax:     4,
	}
}

type retryableRequest struct {
	*http.Request
}

// newRetryableRequest mirrors retryablehttp.NewRequest, which builds the
// request without a caller context.
func newRetryableRequest(method, rawURL string, body io.Reader) (*retryableRequest, error) {
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		return nil, err
	}
	return &retryableRequest{Request: req}, nil
}

// Do mirrors retryablehttp.Client.Do: it retries failed attempts up to
// RetryMax times. (The backoff between attempts is elided here.)
func (c *retryableClient) Do(req *retryableRequest) (*http.Response, error) {
	var lastErr error
	for attempt := 0; attempt <= c.RetryMax; attempt++ {
		resp, err := c.HTTPClient.Do(req.Request)
		if err == nil && resp.StatusCode < http.StatusInternalServerError {
			return resp, nil
		}
		if err != nil {
			lastErr = err
		} else {
			_ = resp.Body.Close()
			lastErr = fmt.Errorf("unexpected HTTP status %s", resp.Status)
		}
		if c.Logger != nil {
			c.Logger.Error("request failed", "method", req.Method, "url", req.URL.String(), "attempt", attempt, "error", lastErr)
		}
	}
	return nil, fmt.Errorf("%s %s giving up after %d attempt(s): %w", req.Method, req.URL.String(), c.RetryMax+1, lastErr)
}

// ---------------------------------------------------------------------------
// internal/loader/client.go
// ---------------------------------------------------------------------------

// NewRetryableHTTPClient returns a new retrying HTTP client for loading
// artifacts. The client will retry up to the given number of times before
// giving up. The context is used to log errors. The timeout is the maximum
// duration for HTTP requests.
func NewRetryableHTTPClient(ctx context.Context, retries int, timeout time.Duration) *retryableClient {
	httpClient := newRetryableClient()
	httpClient.RetryWaitMin = 5 * time.Second
	httpClient.RetryWaitMax = 30 * time.Second
	httpClient.RetryMax = retries
	httpClient.HTTPClient.Timeout = timeout
	httpClient.Logger = newLoggerForContext(ctx)
	return httpClient
}

type loggerKey struct{}

func newLoggerForContext(ctx context.Context) leveledLogger {
	l, ok := ctx.Value(loggerKey{}).(*slog.Logger)
	if !ok {
		l = slog.Default()
	}
	return &errorLogger{log: l}
}

// errorLogger implements the retryablehttp.LeveledLogger interface while only
// logging errors.
type errorLogger struct {
	log *slog.Logger
}

func (l *errorLogger) Error(msg string, keysAndValues ...any) { l.log.Info(msg, keysAndValues...) }
func (l *errorLogger) Info(msg string, keysAndValues ...any)  {}
func (l *errorLogger) Debug(msg string, keysAndValues ...any) {}
func (l *errorLogger) Warn(msg string, keysAndValues ...any)  {}

// ---------------------------------------------------------------------------
// internal/loader/artifact_url.go
// ---------------------------------------------------------------------------

const envSourceControllerLocalhost = "SOURCE_CONTROLLER_LOCALHOST"

var (
	// ErrFileNotFound is an error type used to signal 404 HTTP status code responses.
	ErrFileNotFound = errors.New("file not found")
	// ErrIntegrity signals a chart loader failed to verify the integrity of a chart.
	ErrIntegrity = errors.New("integrity failure")
)

// Chart stands in for helm's chart.Chart: the verified archive bytes.
type Chart struct {
	Archive []byte
}

// SecureLoadChartFromURL attempts to download a Helm chart from the given URL
// using the provided client. The retrieved data is verified against the given
// digest before loading the chart.
func SecureLoadChartFromURL(client *retryableClient, URL, digest string) (*Chart, error) {
	u, err := overwriteHostname(URL, os.Getenv(envSourceControllerLocalhost))
	if err != nil {
		return nil, err
	}

	req, err := newRetryableRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}

	resp, err := client.Do(req)
	if err != nil || resp != nil && resp.StatusCode != http.StatusOK {
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("failed to download chart from '%s': %w", URL, ErrFileNotFound)
		}
		return nil, fmt.Errorf("failed to download chart from '%s' (status: %s)", URL, resp.Status)
	}

	var c bytes.Buffer
	if err := copyAndVerify(digest, resp.Body, &c); err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	if err := resp.Body.Close(); err != nil {
		return nil, err
	}
	return &Chart{Archive: c.Bytes()}, nil
}

func copyAndVerify(digest string, reader io.Reader, writer io.Writer) error {
	want, ok := strings.CutPrefix(digest, "sha256:")
	if !ok {
		return fmt.Errorf("failed to parse digest '%s'", digest)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(h, writer), reader); err != nil {
		return fmt.Errorf("failed to copy and verify chart artifact: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return fmt.Errorf("%w: computed digest doesn't match '%s'", ErrIntegrity, digest)
	}
	return nil
}

func overwriteHostname(URL, hostname string) (string, error) {
	if hostname == "" {
		return URL, nil
	}
	u, err := url.Parse(URL)
	if err != nil {
		return "", fmt.Errorf("failed to parse URL to overwrite hostname: %w", err)
	}
	u.Host = hostname
	return u.String(), nil
}

// ---------------------------------------------------------------------------
// internal/controller/helmrelease_controller.go (reduced)
// ---------------------------------------------------------------------------

// Artifact is the source artifact advertised by source-controller.
type Artifact struct {
	URL    string
	Digest string
}

// HelmRelease is the reduced object being reconciled.
type HelmRelease struct {
	Name     string
	Artifact Artifact
}

type HelmReleaseReconciler struct {
	DependencyRequeueInterval time.Duration
	ArtifactFetchRetries      int
	ArtifactFetchTimeout      time.Duration
}

// Reconcile is the controller-runtime entry point; its ctx carries no deadline.
func (r *HelmReleaseReconciler) Reconcile(ctx context.Context, obj *HelmRelease) error {
	_, err := r.reconcileRelease(ctx, obj)
	return err
}

func (r *HelmReleaseReconciler) reconcileRelease(ctx context.Context, obj *HelmRelease) (*Chart, error) {
	// Load chart from artifact.
	loadedChart, err := SecureLoadChartFromURL(NewRetryableHTTPClient(ctx, r.ArtifactFetchRetries, r.ArtifactFetchTimeout), obj.Artifact.URL, obj.Artifact.Digest)
	if err != nil {
		if errors.Is(err, ErrFileNotFound) {
			return nil, fmt.Errorf("source not ready: artifact not found, retrying in %s: %w", r.DependencyRequeueInterval.String(), err)
		}
		return nil, fmt.Errorf("could not load chart: %w", err)
	}
	return loadedChart, nil
}

// ---------------------------------------------------------------------------
// main.go (reduced): flag wiring for the reconciler.
// ---------------------------------------------------------------------------

// NewReconcilerFromFlags mirrors how main.go builds the HelmReleaseReconciler.
func NewReconcilerFromFlags(fs *flag.FlagSet, args []string) (*HelmReleaseReconciler, error) {
	var (
		requeueDependency time.Duration
		httpRetry         int
		httpTimeout       time.Duration
	)
	fs.DurationVar(&requeueDependency, "requeue-dependency", 30*time.Second,
		"The interval at which failing dependencies are reevaluated.")
	fs.IntVar(&httpRetry, "http-retry", 9,
		"The maximum number of retries when failing to fetch artifacts over HTTP.")
	fs.DurationVar(&httpTimeout, "http-timeout", 30*time.Second,
		"The timeout for HTTP requests when fetching artifacts.")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &HelmReleaseReconciler{
		DependencyRequeueInterval: requeueDependency,
		ArtifactFetchRetries:      httpRetry,
		ArtifactFetchTimeout:      httpTimeout,
	}, nil
}
