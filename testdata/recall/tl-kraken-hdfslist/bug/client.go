// Recall case tl-kraken-hdfslist
// Source: github.com/uber/kraken commit afc67c66051f0b89086dc1b42e244fb2b4dfdf59 (lib/backend/hdfsbackend/client.go)
// Link: https://github.com/uber/kraken/commit/afc67c66051f0b89086dc1b42e244fb2b4dfdf59
// Bug: Client.List returns early on the first ListFileStatus error, leaving the spawned lister goroutines blocked forever on "listJobs <- p" / "errc <- err" with no receiver.
// Fix: rewrote List as a worker pool where every send selects on a done channel that List closes on return.
// Rule: timeoutleak
package hdfsbackend

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

// errNotFound stands in for the httputil StatusError with code 404.
var errNotFound = errors.New("not found")

// isNotFound stands in for httputil.IsNotFound.
func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

// FileStatus stands in for webhdfs.FileStatus.
type FileStatus struct {
	PathSuffix string `json:"pathSuffix"`
	Type       string `json:"type"`
	Length     int64  `json:"length"`
}

type listStatusResponse struct {
	FileStatuses struct {
		FileStatus []FileStatus `json:"FileStatus"`
	} `json:"FileStatuses"`
}

// webhdfsClient stands in for webhdfs.client; ListFileStatus issues a
// LISTSTATUS GET like kraken's httputil.Get (60s default client timeout).
type webhdfsClient struct {
	namenode string
	username string
}

func (c *webhdfsClient) ListFileStatus(p string) ([]FileStatus, error) {
	v := url.Values{}
	if c.username != "" {
		v.Set("user.name", c.username)
	}
	v.Set("op", "LISTSTATUS")
	client := http.Client{Timeout: 60 * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://%s/webhdfs/v1%s?%s", c.namenode, p, v.Encode()))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNotFound
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("liststatus %s: %s", p, resp.Status)
	}
	var lsr listStatusResponse
	if err := json.NewDecoder(resp.Body).Decode(&lsr); err != nil {
		return nil, fmt.Errorf("decode body: %s", err)
	}
	return lsr.FileStatuses.FileStatus, nil
}

// Config defines configuration for the HDFS client.
type Config struct {
	RootDirectory   string
	ListConcurrency int
	testing         bool
}

// Client is a backend.Client for HDFS.
type Client struct {
	config  Config
	webhdfs *webhdfsClient
}

func (c *Client) basePath() string { return path.Join(c.config.RootDirectory, "docker/registry/v2") }

func (c *Client) nameFromBlobPath(p string) (string, error) {
	rel := strings.TrimPrefix(p, c.basePath()+"/")
	if rel == p {
		return "", fmt.Errorf("path %s not under base path", p)
	}
	return rel, nil
}

var (
	_ignoreRegex = regexp.MustCompile(
		"^.+/repositories/.+/(_layers|_uploads|_manifests/(revisions|tags/.+/index)).*")
	_stopRegex = regexp.MustCompile("^.+/repositories/.+/_manifests$")
)

// List lists names which start with prefix.
func (c *Client) List(prefix string) ([]string, error) {
	root := path.Join(c.basePath(), prefix)

	var wg sync.WaitGroup
	listJobs := make(chan string, c.config.ListConcurrency)
	errc := make(chan error, c.config.ListConcurrency)

	wg.Add(1)
	listJobs <- root

	go func() {
		wg.Wait()
		close(listJobs)
	}()

	var mu sync.Mutex
	var files []string

L:
	for {
		select {
		case err := <-errc:
			// Stop early on error.
			return nil, err
		case dir, ok := <-listJobs:
			if !ok {
				break L
			}
			go func() {
				defer wg.Done()

				contents, err := c.webhdfs.ListFileStatus(dir)
				if err != nil {
					if !isNotFound(err) {
						errc <- err
					}
					return
				}

				for _, fs := range contents {
					p := path.Join(dir, fs.PathSuffix)

					if _ignoreRegex.MatchString(p) {
						continue
					}

					if _stopRegex.MatchString(p) {
						p = path.Join(p, "tags/dummy/current/link")
						fs.Type = "FILE"
					}

					if fs.Type == "DIRECTORY" {
						wg.Add(1)
						listJobs <- p
						continue
					}

					name, err := c.nameFromBlobPath(p)
					if err != nil {
						continue
					}
					mu.Lock()
					files = append(files, name)
					mu.Unlock()
				}
			}()
		}
	}

	return files, nil
}
