// Recall case sc-chromedp-selectorretry
// Source: github.com/chromedp/chromedp commit 10a6f7bd20c92700beaf8660fbb6c311698b2464 (sel.go)
// Link: https://github.com/chromedp/chromedp/commit/10a6f7bd20c92700beaf8660fbb6c311698b2464
// Bug: Selector.run retries h.GetRoot(ctxt) with a bare `continue` on any error, so once ctxt is cancelled/timed out GetRoot keeps returning the context error and the goroutine spins forever.
// Fix: on a GetRoot error, check ctxt.Done() and send ctxt.Err() and return instead of retrying.
// Rule: swallowcancel
package chromedp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// DefaultCheckDuration is the default time to sleep between a check.
var DefaultCheckDuration = 50 * time.Millisecond

// NodeID is a DOM node id.
type NodeID int64

// Node is a DOM node.
type Node struct {
	NodeID      NodeID `json:"nodeId"`
	Invalidated chan struct{}
}

// Handler is the common interface for a Chrome Debugging Protocol target.
type Handler interface {
	GetRoot(context.Context) (*Node, error)
}

// TargetHandler talks to the devtools endpoint over HTTP.
type TargetHandler struct {
	client   *http.Client
	endpoint string
}

// GetRoot fetches the document root from the devtools endpoint.
func (h *TargetHandler) GetRoot(ctxt context.Context) (*Node, error) {
	req, err := http.NewRequestWithContext(ctxt, http.MethodGet, h.endpoint+"/json/dom/root", nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	n := &Node{Invalidated: make(chan struct{})}
	if err := json.NewDecoder(resp.Body).Decode(n); err != nil {
		return nil, err
	}
	return n, nil
}

// Selector holds information pertaining to an element query select action.
type Selector struct {
	sel   interface{}
	exp   int
	by    func(context.Context, Handler, *Node) ([]NodeID, error)
	wait  func(context.Context, Handler, *Node, ...NodeID) ([]*Node, error)
	after func(context.Context, Handler, ...*Node) error
}

// Do satisfies the Action interface.
func (s *Selector) Do(ctxt context.Context, h Handler) error {
	// TODO: fix this
	ctxt, cancel := context.WithTimeout(ctxt, 100*time.Second)
	defer cancel()

	var err error
	select {
	case err = <-s.run(ctxt, h):
	case <-ctxt.Done():
		err = ctxt.Err()
	}

	return err
}

// run runs the selector action, starting over if the original returned nodes
// are invalidated prior to finishing the selector's by, wait, check, and after
// funcs.
func (s *Selector) run(ctxt context.Context, h Handler) chan error {
	ch := make(chan error)

	go func() {
		defer close(ch)

		for {
			root, err := h.GetRoot(ctxt)
			if err != nil {
				continue
			}

			select {
			default:
				ids, err := s.by(ctxt, h, root)
				if err == nil && len(ids) >= s.exp {
					nodes, err := s.wait(ctxt, h, root, ids...)
					if err == nil {
						if s.after == nil {
							return
						}

						err = s.after(ctxt, h, nodes...)
						if err != nil {
							ch <- err
						}
						return
					}
				}

				time.Sleep(DefaultCheckDuration)

			case <-root.Invalidated:
				continue

			case <-ctxt.Done():
				ch <- ctxt.Err()
				return
			}
		}
	}()

	return ch
}

// selAsString forces sel into a string.
func (s *Selector) selAsString() string {
	if sel, ok := s.sel.(string); ok {
		return sel
	}

	return fmt.Sprintf("%s", s.sel)
}
