// Recall case nd-goapk-alpinekeys
// Source: github.com/chainguard-dev/go-apk commit d08e81e998fa6de2c64974718135fe0e10a5f31f (pkg/apk/implementation.go)
// Link: https://github.com/chainguard-dev/go-apk/commit/d08e81e998fa6de2c64974718135fe0e10a5f31f
// Bug: InitDB/fetchAlpineKeys download the alpine releases index and signing keys with client.Get on an http.Client{} that has no Timeout and no context, so an unresponsive mirror hangs the build forever.
// Fix: InitDB and fetchAlpineKeys take a ctx and issue the requests with http.NewRequestWithContext(ctx, ...) + client.Do.
// Rule: nodeadline
package apk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

const (
	alpineReleasesURL = "https://alpinelinux.org/releases.json"
	keysDirPath       = "etc/apk/keys"
)

// Releases is the alpine releases index.
type Releases struct {
	LatestStable string                   `json:"latest_stable"`
	Branches     map[string]ReleaseBranch `json:"release_branches"`
}

// ReleaseBranch holds the key URLs per architecture.
type ReleaseBranch struct {
	Keys map[string][]string `json:"keys"`
}

// GetReleaseBranch returns the branch for a version, or nil.
func (r Releases) GetReleaseBranch(version string) *ReleaseBranch {
	b, ok := r.Branches[version]
	if !ok {
		return nil
	}
	return &b
}

// KeysFor returns the key URLs for arch.
func (b *ReleaseBranch) KeysFor(arch string) []string { return b.Keys[arch] }

// APK is the apk implementation.
type APK struct {
	root   string
	arch   string
	client *http.Client
	logger *log.Logger
}

// NoKeysFoundError is returned when no keys are available.
type NoKeysFoundError struct {
	arch     string
	releases []string
}

func (e *NoKeysFoundError) Error() string {
	return fmt.Sprintf("no keys found for arch %s and releases %v", e.arch, e.releases)
}

// InitDB initializes the APK database for a given build context.
func (a *APK) InitDB(ctx context.Context, versions ...string) error {
	a.logger.Printf("initializing apk database")

	if err := os.MkdirAll(filepath.Join(a.root, keysDirPath), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(a.root, "etc/apk/arch"), []byte(a.arch+"\n"), 0o644); err != nil {
		return err
	}

	// get the alpine-keys base keys for our usage
	if err := a.fetchAlpineKeys(ctx, versions); err != nil {
		var nokeysErr *NoKeysFoundError
		if !errors.As(err, &nokeysErr) {
			return fmt.Errorf("failed to fetch alpine-keys: %w", err)
		}
		a.logger.Printf("ignoring missing keys: %s", err.Error())
	}

	a.logger.Printf("finished initializing apk database")
	return nil
}

// fetchAlpineKeys fetches the public keys for the repositories in the APK database.
func (a *APK) fetchAlpineKeys(ctx context.Context, versions []string) error {
	u := alpineReleasesURL
	client := a.client
	if client == nil {
		client = &http.Client{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to fetch alpine releases: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("unable to get alpine releases at %s: %v", u, res.Status)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("failed to read alpine releases: %w", err)
	}
	var releases Releases
	if err := json.Unmarshal(b, &releases); err != nil {
		return fmt.Errorf("failed to unmarshal alpine releases: %w", err)
	}
	// what is the alpine version we use?
	var alpineVersions = versions
	if len(alpineVersions) == 0 {
		alpineVersions = append(alpineVersions, releases.LatestStable)
	}
	var urls []string
	// now just need to get the keys for the desired architecture and releases
	for _, version := range alpineVersions {
		branch := releases.GetReleaseBranch(version)
		if branch == nil {
			continue
		}
		urls = append(urls, branch.KeysFor(a.arch)...)
	}
	if len(urls) == 0 {
		return &NoKeysFoundError{arch: a.arch, releases: alpineVersions}
	}
	// get the keys for each URL and save them to a file with that name
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		res, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("failed to fetch alpine key %s: %w", u, err)
		}
		defer res.Body.Close()
		basefilenameEscape := filepath.Base(u)
		basefilename, err := url.PathUnescape(basefilenameEscape)
		if err != nil {
			return fmt.Errorf("failed to unescape key filename %s: %w", basefilenameEscape, err)
		}
		filename := filepath.Join(a.root, keysDirPath, basefilename)
		f, err := os.OpenFile(filename, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("failed to open key file %s: %w", filename, err)
		}
		defer f.Close()
		if _, err := io.Copy(f, res.Body); err != nil {
			return fmt.Errorf("failed to write key file %s: %w", filename, err)
		}
	}
	return nil
}
