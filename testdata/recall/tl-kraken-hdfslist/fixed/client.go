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

type listResult struct {
	dir  string
	list []FileStatus
	err  error
}

func (c *Client) lister(done <-chan struct{}, listJobs <-chan string, results chan<- listResult) {
	for {
		select {
		case <-done:
			return
		case dir := <-listJobs:
			l, err := c.webhdfs.ListFileStatus(dir)
			select {
			case <-done:
				return
			case results <- listResult{dir, l, err}:
			}
		}
	}
}

func (c *Client) sendAll(done <-chan struct{}, dirs []string, listJobs chan<- string) {
	for _, d := range dirs {
		select {
		case <-done:
			return
		case listJobs <- d:
		}
	}
}

// List lists names which start with prefix.
func (c *Client) List(prefix string) ([]string, error) {
	root := path.Join(c.basePath(), prefix)

	listJobs := make(chan string)
	results := make(chan listResult)
	done := make(chan struct{})

	var wg sync.WaitGroup

	for i := 0; i < c.config.ListConcurrency; i++ {
		wg.Add(1)
		go func() {
			c.lister(done, listJobs, results)
			wg.Done()
		}()
	}

	defer func() {
		close(done)
		if c.config.testing {
			// Waiting might be delayed if an early error is encountered but
			// other goroutines are waiting on a long http timeout. Thus, we
			// only wait for each spawned goroutine to exit during testing to
			// assert that no goroutines leak.
			wg.Wait()
		}
	}()

	var files []string

	// Pending tracks the number of directories which are pending exploration.
	// Invariant: there will be a result received for every increment made to
	// pending.
	pending := 1
	listJobs <- root

	for pending > 0 {
		res := <-results
		pending--
		if res.err != nil {
			if isNotFound(res.err) {
				continue
			}
			return nil, res.err
		}
		var dirs []string
		for _, fs := range res.list {
			p := path.Join(res.dir, fs.PathSuffix)

			if _ignoreRegex.MatchString(p) {
				continue
			}

			if _stopRegex.MatchString(p) {
				p = path.Join(p, "tags/dummy/current/link")
				fs.Type = "FILE"
			}

			if fs.Type == "DIRECTORY" {
				dirs = append(dirs, p)
			} else {
				name, err := c.nameFromBlobPath(p)
				if err != nil {
					continue
				}
				files = append(files, name)
			}
		}
		if len(dirs) > 0 {
			// We cannot send list jobs and receive results in the same thread, else
			// deadlock will occur.
			wg.Add(1)
			go func() {
				c.sendAll(done, dirs, listJobs)
				wg.Done()
			}()
			pending += len(dirs)
		}
	}

	return files, nil
}
