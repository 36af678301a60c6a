// Recall case sc-caboose-ctxretry
// Source: github.com/filecoin-saturn/caboose commit 02bc2f34c01f6fdc0b673a9f2ce87615e4c00f27 (pool.go)
// Link: https://github.com/filecoin-saturn/caboose/commit/02bc2f34c01f6fdc0b673a9f2ce87615e4c00f27
// Bug: fetchResourceWith keeps looping over every Saturn node after the caller's ctx is cancelled; each attempt fails with the context error, downvotes the node and finally puts the path into the failure cool-down, instead of stopping at the first context error.
// Fix: after each failed attempt the loop checks ctx.Err() and returns the context error immediately.
// Rule: swallowcancel
package caboose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DataCallback consumes the body of a fetched resource.
type DataCallback func(resource string, reader io.Reader) error

// ErrPartialResponse is returned by a callback when only part of the data was received.
type ErrPartialResponse struct {
	StillNeed []string
}

func (epr ErrPartialResponse) Error() string {
	return fmt.Sprintf("partial response, still need %d resources", len(epr.StillNeed))
}

var ErrSaturnTimeout = errors.New("saturn node timed out")

const DefaultSaturnCarRequestTimeout = 30 * time.Minute

type pool struct {
	client    *http.Client
	endpoints []string

	lk      sync.Mutex
	weights map[string]int

	fetchKeyLk       sync.Mutex
	fetchKeyCoolDown map[string]time.Time
	coolDownDuration time.Duration
}

func (p *pool) fetchResourceWith(ctx context.Context, path string, cb DataCallback, with string) (err error) {
	p.fetchKeyLk.Lock()
	if at, ok := p.fetchKeyCoolDown[path]; ok && time.Now().Before(at) {
		p.fetchKeyLk.Unlock()
		return fmt.Errorf("path %s is cooling down for %s", path, time.Until(at))
	}
	p.fetchKeyLk.Unlock()

	nodes := p.getNodesToFetch(path, with)

	pq := []string{path}
	for i := 0; i < len(nodes); i++ {
		err = p.fetchResourceAndUpdate(ctx, nodes[i], pq[0], i, cb)

		var epr = ErrPartialResponse{}
		if err == nil {
			pq = pq[1:]
			if len(pq) == 0 {
				return
			}
			// for now: reset i on partials so we also give them a chance to retry.
			i = -1
		} else if errors.As(err, &epr) {
			if len(epr.StillNeed) == 0 {
				continue
			}
			pq = pq[1:]
			pq = append(pq, epr.StillNeed...)
			i = -1
		}
		if ce := ctx.Err(); ce != nil {
			return ce
		}
	}

	p.updateFetchKeyCoolDown(path)

	// Saturn fetch failed after exhausting all retrieval attempts, we can return the error.
	return
}

func (p *pool) getNodesToFetch(key string, with string) []string {
	p.lk.Lock()
	defer p.lk.Unlock()
	nodes := make([]string, 0, len(p.endpoints)+1)
	if with != "" {
		nodes = append(nodes, with)
	}
	return append(nodes, p.endpoints...)
}

func (p *pool) fetchResourceAndUpdate(ctx context.Context, node string, path string, attempt int, cb DataCallback) (err error) {
	err = p.fetchResource(ctx, node, path, attempt, cb)
	p.commonUpdate(node, err)
	return
}

func (p *pool) commonUpdate(node string, err error) {
	p.lk.Lock()
	defer p.lk.Unlock()
	if err == nil {
		p.weights[node]++
		return
	}
	// Saturn fetch failed, we downvote the failing member.
	p.weights[node]--
}

func (p *pool) updateFetchKeyCoolDown(key string) {
	p.fetchKeyLk.Lock()
	defer p.fetchKeyLk.Unlock()
	p.fetchKeyCoolDown[key] = time.Now().Add(p.coolDownDuration)
}

func (p *pool) fetchResource(ctx context.Context, from string, resource string, attempt int, cb DataCallback) error {
	if ce := ctx.Err(); ce != nil {
		return ce
	}

	reqCtx, cancel := context.WithTimeout(ctx, DefaultSaturnCarRequestTimeout)
	defer cancel()
	reqUrl := fmt.Sprintf("https://%s%s", from, resource)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, reqUrl, nil)
	if err != nil {
		return err
	}
	req.Header.Add("Accept", "application/vnd.ipld.car")

	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("http request failed: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode == http.StatusGatewayTimeout {
		return fmt.Errorf("http error from strn: %d, err=%w", resp.StatusCode, ErrSaturnTimeout)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http error from strn: %d", resp.StatusCode)
	}
	return cb(resource, resp.Body)
}
