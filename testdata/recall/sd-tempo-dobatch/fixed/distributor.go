// Recall case sd-tempo-dobatch
// Source: github.com/grafana/tempo commit a850e5b1486394a8f778ac83dc9e334457e122b7 (modules/distributor/distributor.go)
// Link: https://github.com/grafana/tempo/commit/a850e5b1486394a8f778ac83dc9e334457e122b7
// Bug: inside the ring.DoBatch callback, sendToIngestersViaBytes builds localCtx from context.WithTimeout(context.Background(), RemoteTimeout), so PushBytes to each ingester ignores the caller's (PushBatches) deadline and cancellation.
// Fix: derive localCtx from the request ctx: context.WithTimeout(ctx, d.clientCfg.RemoteTimeout).
// Rule: sharedeadline
package distributor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ---- stub of github.com/weaveworks/common/user ----

type orgIDKey struct{}

// InjectOrgID returns a derived context containing the org ID.
func InjectOrgID(ctx context.Context, orgID string) context.Context {
	return context.WithValue(ctx, orgIDKey{}, orgID)
}

// ExtractOrgID gets the org ID from the context.
func ExtractOrgID(ctx context.Context) (string, error) {
	id, ok := ctx.Value(orgIDKey{}).(string)
	if !ok {
		return "", errors.New("no org id")
	}
	return id, nil
}

// ---- stub of tempopb ----

// Trace is a marshalable trace.
type Trace struct {
	ID    []byte
	Spans []string
}

// Marshal encodes the trace.
func (t *Trace) Marshal() ([]byte, error) { return json.Marshal(t) }

// PreallocBytes wraps a byte slice.
type PreallocBytes struct{ Slice []byte }

// PushBytesRequest is the request sent to an ingester.
type PushBytesRequest struct {
	Traces []PreallocBytes
	Ids    []PreallocBytes
}

// PushResponse is the (empty) push response.
type PushResponse struct{}

// PusherClient is the ingester client; the real one is a gRPC client, this stub
// sends the request with the caller's ctx over HTTP.
type PusherClient struct {
	addr string
	hc   *http.Client
}

// PushBytes sends the request to the ingester.
func (c *PusherClient) PushBytes(ctx context.Context, req *PushBytesRequest) (*PushResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+"/tempopb.Pusher/PushBytes", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if orgID, err := ExtractOrgID(ctx); err == nil {
		httpReq.Header.Set("X-Scope-OrgID", orgID)
	}
	resp, err := c.hc.Do(httpReq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("push to %s: %s", c.addr, resp.Status)
	}
	return &PushResponse{}, nil
}

// ---- stub of dskit ring / client pool ----

// InstanceDesc describes an ingester.
type InstanceDesc struct{ Addr string }

// Ring maps keys to ingesters.
type Ring struct{ Ingesters []InstanceDesc }

// Pool hands out ingester clients.
type Pool struct {
	hc *http.Client
}

// GetClientFor returns a client for addr.
func (p *Pool) GetClientFor(addr string) (*PusherClient, error) {
	return &PusherClient{addr: addr, hc: p.hc}, nil
}

// DoBatch calls callback once per ingester owning some of keys and waits for all
// of them, or for ctx to be done (like dskit ring.DoBatch).
func DoBatch(ctx context.Context, r *Ring, keys []uint32, callback func(InstanceDesc, []int) error, cleanup func()) error {
	if len(r.Ingesters) == 0 {
		return errors.New("empty ring")
	}
	byIngester := map[int][]int{}
	for i, k := range keys {
		idx := int(k) % len(r.Ingesters)
		byIngester[idx] = append(byIngester[idx], i)
	}
	errs := make(chan error, len(byIngester))
	var wg sync.WaitGroup
	for idx, indexes := range byIngester {
		wg.Add(1)
		go func(ing InstanceDesc, indexes []int) {
			defer wg.Done()
			errs <- callback(ing, indexes)
		}(r.Ingesters[idx], indexes)
	}
	go func() {
		wg.Wait()
		cleanup()
		close(errs)
	}()
	for {
		select {
		case err, ok := <-errs:
			if !ok {
				return nil
			}
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ---- distributor ----

// ClientConfig is the ingester client config.
type ClientConfig struct {
	RemoteTimeout time.Duration
}

// Distributor coordinates pushes to ingesters.
type Distributor struct {
	clientCfg     ClientConfig
	ingestersRing *Ring
	pool          *Pool
}

// PushBatches pushes a batch of traces
func (d *Distributor) PushBatches(ctx context.Context, traces []*Trace, keys []uint32) (*PushResponse, error) {
	userID, err := ExtractOrgID(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([][]byte, len(traces))
	for i, t := range traces {
		ids[i] = t.ID
	}
	err = d.sendToIngestersViaBytes(ctx, userID, traces, keys, ids)
	return nil, err // PushRequest is ignored, so no reason to create one
}

func (d *Distributor) sendToIngestersViaBytes(ctx context.Context, userID string, traces []*Trace, keys []uint32, ids [][]byte) error {
	// Marshal to bytes once
	marshalledTraces := make([][]byte, len(traces))
	for i, t := range traces {
		b, err := t.Marshal()
		if err != nil {
			return fmt.Errorf("failed to marshal PushRequest: %w", err)
		}
		marshalledTraces[i] = b
	}

	err := DoBatch(ctx, d.ingestersRing, keys, func(ingester InstanceDesc, indexes []int) error {
		localCtx, cancel := context.WithTimeout(ctx, d.clientCfg.RemoteTimeout)
		defer cancel()
		localCtx = InjectOrgID(localCtx, userID)

		req := PushBytesRequest{
			Traces: make([]PreallocBytes, len(indexes)),
			Ids:    make([]PreallocBytes, len(indexes)),
		}

		for i, j := range indexes {
			req.Traces[i].Slice = marshalledTraces[j][0:]
			req.Ids[i].Slice = ids[j]
		}

		c, err := d.pool.GetClientFor(ingester.Addr)
		if err != nil {
			return err
		}

		_, err = c.PushBytes(localCtx, &req)
		return err
	}, func() {})

	return err
}
