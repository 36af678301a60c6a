// Recall case nd-desync-httptimeout
// Source: github.com/folbricht/desync commit d3459a0c384fc5b9b7c706ab2152c9e11071061a (remotehttp.go, cmd/desync/store.go)
// Link: https://github.com/folbricht/desync/commit/d3459a0c384fc5b9b7c706ab2152c9e11071061a
// Bug: the HTTP chunk store builds its http.Client without a Timeout and GetChunk calls client.Get without any context, so a chunk download from an unresponsive server hangs the whole process forever (issue #29).
// Fix: the client gets a timeout (RemoteHTTP.SetTimeout, called with the configured HTTPTimeout that defaults to one minute) when the store is created.
// Rule: nodeadline
package desync

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// TrustInsecure determines if invalid certs presented by HTTP stores should
// be accepted.
var TrustInsecure bool

const chunkFileExt = ".cacnk"

// ChunkID identifies a chunk by its hash.
type ChunkID [32]byte

func (c ChunkID) String() string { return fmt.Sprintf("%x", c[:]) }

// ChunkMissing is returned when the store does not have the chunk.
type ChunkMissing struct {
	ID ChunkID
}

func (e ChunkMissing) Error() string { return "chunk " + e.ID.String() + " missing from store" }

// RemoteHTTP is a remote casync store accessed via HTTP.
type RemoteHTTP struct {
	location *url.URL
	client   *http.Client
}

// NewRemoteHTTPStore initializes a new store that pulls chunks via HTTP(S) from
// a remote web server. n defines the size of idle connections allowed.
func NewRemoteHTTPStore(location *url.URL, n int) (*RemoteHTTP, error) {
	if location.Scheme != "http" && location.Scheme != "https" {
		return nil, fmt.Errorf("unsupported scheme %s, expected http or https", location.Scheme)
	}
	// Make sure we have a trailing / on the path
	u := *location
	if !strings.HasSuffix(u.Path, "/") {
		u.Path = u.Path + "/"
	}

	// Build a client with the right size connection pool and optionally disable
	// certificate verification.
	tr := &http.Transport{
		DisableCompression:  true,
		MaxIdleConnsPerHost: n,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: TrustInsecure},
	}

	client := &http.Client{Transport: tr}

	return &RemoteHTTP{location: &u, client: client}, nil
}

// GetChunk reads and returns one (compressed!) chunk from the store
func (r *RemoteHTTP) GetChunk(id ChunkID) ([]byte, error) {
	sID := id.String()
	p := filepath.Join(sID[0:4], sID) + chunkFileExt

	u, _ := r.location.Parse(p)
	resp, err := r.client.Get(u.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.String(), err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case 200: // expected
	case 404:
		return nil, ChunkMissing{id}
	default:
		return nil, fmt.Errorf("unexpected status code %d from %s", resp.StatusCode, p)
	}
	return io.ReadAll(resp.Body)
}

// SetTimeout configures the timeout on the HTTP client for all requests
func (r *RemoteHTTP) SetTimeout(timeout time.Duration) {
	r.client.Timeout = timeout
}

func (r *RemoteHTTP) String() string {
	return r.location.String()
}

// Store is what the chunk-assembling commands read chunks from.
type Store interface {
	GetChunk(id ChunkID) ([]byte, error)
}

// Config mirrors cmd/desync Config.
type Config struct {
	HTTPTimeout time.Duration `json:"http-timeout"`
}

// Global config defining the defaults. Those can be overridden by loading a config file.
var cfg = Config{
	HTTPTimeout: time.Minute,
}

// storeFromLocation mirrors the "http", "https" branch of cmd/desync MultiStoreWithCache.
func storeFromLocation(location string, n int) (Store, error) {
	loc, err := url.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("Unable to parse store location %s : %s", location, err)
	}
	var s Store
	switch loc.Scheme {
	case "http", "https":
		h, err := NewRemoteHTTPStore(loc, n)
		if err != nil {
			return s, err
		}
		h.SetTimeout(cfg.HTTPTimeout)
		s = h
	default:
		return nil, fmt.Errorf("unsupported store scheme %q", loc.Scheme)
	}
	return s, nil
}
