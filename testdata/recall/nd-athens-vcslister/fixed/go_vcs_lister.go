// Recall case nd-athens-vcslister
// Source: github.com/gomods/athens commit 3856c6feee6e9ec0772e885f73ad9446d84abd21 (pkg/module/go_vcs_lister.go)
// Link: https://github.com/gomods/athens/commit/3856c6feee6e9ec0772e885f73ad9446d84abd21
// Bug: vcsLister.List receives the request ctx but runs `go list -m -versions` (which fetches from upstream VCS/proxies over the network) via exec.Command with no context and no timeout, so a stalled upstream hangs the list request forever.
// Fix: the command is run with exec.CommandContext under context.WithTimeout(ctx, l.timeout) and a deadline is reported as a gateway timeout.
// Rule: nodeadline
package module

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

type listResp struct {
	Path     string
	Version  string
	Versions []string `json:",omitempty"`
	Time     time.Time
}

// RevInfo stands in for storage.RevInfo.
type RevInfo struct {
	Version string
	Time    time.Time
}

// Kind values stand in for athens errors kinds.
const (
	KindNotFound       = http.StatusNotFound
	KindGatewayTimeout = http.StatusGatewayTimeout
)

type kindError struct {
	op   string
	kind int
	err  error
}

func (e *kindError) Error() string { return e.op + ": " + e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// E stands in for athens errors.E.
func E(op string, err error, kind ...int) error {
	k := http.StatusInternalServerError
	if len(kind) > 0 {
		k = kind[0]
	}
	return &kindError{op: op, kind: k, err: err}
}

// group is a minimal stand-in for golang.org/x/sync/singleflight.Group.
type group struct {
	mu sync.Mutex
	m  map[string]*sfCall
}

type sfCall struct {
	wg  sync.WaitGroup
	val any
	err error
}

func (g *group) Do(key string, fn func() (any, error)) (any, error, bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*sfCall)
	}
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := new(sfCall)
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()
	c.val, c.err = fn()
	c.wg.Done()
	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
	return c.val, c.err, false
}

type listSFResp struct {
	rev      *RevInfo
	versions []string
}

func prepareEnv(gopath string, envVars []string) []string {
	return append([]string{"GOPATH=" + gopath, "GOFLAGS=-mod=mod"}, envVars...)
}

type vcsLister struct {
	goBinPath string
	env       []string
	sfg       *group
	timeout   time.Duration
}

// NewVCSLister creates an UpstreamLister which uses VCS to fetch a list of available versions.
func NewVCSLister(goBinPath string, env []string, timeout time.Duration) *vcsLister {
	return &vcsLister{
		goBinPath: goBinPath,
		env:       env,
		sfg:       &group{},
		timeout:   timeout,
	}
}

func (l *vcsLister) List(ctx context.Context, module string) (*RevInfo, []string, error) {
	const op = "vcsLister.List"
	sfResp, err, _ := l.sfg.Do(module, func() (any, error) {
		tmpDir, err := os.MkdirTemp("", "go-list")
		if err != nil {
			return nil, E(op, err)
		}
		defer func() { _ = os.RemoveAll(tmpDir) }()

		timeoutCtx, cancel := context.WithTimeout(ctx, l.timeout)
		defer cancel()

		cmd := exec.CommandContext(
			timeoutCtx,
			l.goBinPath,
			"list", "-m", "-versions", "-json",
			module+"@latest",
		)
		cmd.Dir = tmpDir
		stdout := &bytes.Buffer{}
		stderr := &bytes.Buffer{}
		cmd.Stdout = stdout
		cmd.Stderr = stderr

		gopath, err := os.MkdirTemp("", "athens")
		if err != nil {
			return nil, E(op, err)
		}
		defer func() { _ = os.RemoveAll(gopath) }()
		cmd.Env = prepareEnv(gopath, l.env)

		err = cmd.Run()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, stderr)
			if errors.Is(timeoutCtx.Err(), context.DeadlineExceeded) {
				return nil, E(op, err, KindGatewayTimeout)
			}

			// as of now, we can't recognize between a true NotFound
			// and an unexpected error, so we choose the more
			// hopeful path of NotFound.
			return nil, E(op, err, KindNotFound)
		}

		var lr listResp
		err = json.NewDecoder(stdout).Decode(&lr)
		if err != nil {
			return nil, E(op, err)
		}
		rev := RevInfo{
			Time:    lr.Time,
			Version: lr.Version,
		}
		return listSFResp{
			rev:      &rev,
			versions: lr.Versions,
		}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	ret := sfResp.(listSFResp)
	return ret.rev, ret.versions, nil
}
