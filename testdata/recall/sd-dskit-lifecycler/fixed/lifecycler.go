// Recall case sd-dskit-lifecycler
// Source: github.com/grafana/dskit commit 0ee97c59102ffe4b9f058398cbf54bcd93c3ea14 (ring/lifecycler.go)
// Link: https://github.com/grafana/dskit/commit/0ee97c59102ffe4b9f058398cbf54bcd93c3ea14
// Bug: Lifecycler.loop(ctx) calls initRing/autoJoin/updateConsul with context.Background(), so the KV (Consul) CAS/Get calls and the 5-minute waitBeforeJoining retry loop ignore the service's cancellation
// Fix: pass the loop's ctx to initRing, autoJoin, verifyTokens, changeState and updateConsul
// Rule: sharedeadline
package ring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

// ---- KV store: reduced stand-in for dskit kv/consul.Client -----------------

// Desc is the ring descriptor stored in the KV store.
type Desc struct {
	Ingesters map[string]InstanceDesc `json:"ingesters"`
}

type InstanceDesc struct {
	Addr   string   `json:"addr"`
	State  int      `json:"state"`
	Tokens []uint32 `json:"tokens"`
}

// ConsulClient talks to Consul's KV HTTP API the way the consul api client
// does: every request carries the caller's ctx (QueryOptions.WithContext) and
// the *http.Client is configured with cfg.HTTPClientTimeout.
type ConsulClient struct {
	addr       string
	httpClient *http.Client
}

func NewConsulClient(addr string, httpClientTimeout time.Duration) *ConsulClient {
	return &ConsulClient{addr: addr, httpClient: &http.Client{Timeout: httpClientTimeout}}
}

func (c *ConsulClient) get(ctx context.Context, key string) (*Desc, uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.addr+"/v1/kv/"+url.PathEscape(key)+"?raw", nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, 0, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("consul: unexpected status %d", resp.StatusCode)
	}
	var idx uint64
	fmt.Sscanf(resp.Header.Get("X-Consul-Index"), "%d", &idx)
	d := &Desc{}
	if err := json.NewDecoder(resp.Body).Decode(d); err != nil {
		return nil, 0, err
	}
	return d, idx, nil
}

func (c *ConsulClient) cas(ctx context.Context, key string, d *Desc, index uint64) (bool, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return false, err
	}
	u := fmt.Sprintf("%s/v1/kv/%s?cas=%d", c.addr, url.PathEscape(key), index)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(b))
	if err != nil {
		return false, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var ok bool
	if err := json.NewDecoder(resp.Body).Decode(&ok); err != nil {
		return false, err
	}
	return ok, nil
}

// Get returns the current ring descriptor.
func (c *ConsulClient) Get(ctx context.Context, key string) (interface{}, error) {
	d, _, err := c.get(ctx, key)
	if err != nil || d == nil {
		return nil, err
	}
	return d, nil
}

// CAS atomically modifies a value in a callback (retry loop as in dskit).
func (c *ConsulClient) CAS(ctx context.Context, key string, f func(in interface{}) (out interface{}, retry bool, err error)) error {
	for i := 0; i < 10; i++ {
		d, index, err := c.get(ctx, key)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("CAS %s: %w", key, err)
			}
			log.Printf("error getting key %s: %v", key, err)
			continue
		}
		var in interface{}
		if d != nil {
			in = d
		}
		out, retry, err := f(in)
		if err != nil {
			if !retry {
				return err
			}
			continue
		}
		if out == nil {
			return nil
		}
		ok, err := c.cas(ctx, key, out.(*Desc), index)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("CAS %s: %w", key, err)
			}
			log.Printf("error CASing %s: %v", key, err)
			continue
		}
		if !ok {
			continue
		}
		return nil
	}
	return fmt.Errorf("failed to CAS %s", key)
}

// ---- backoff: reduced stand-in for dskit/backoff ----------------------------

type backoff struct {
	ctx     context.Context
	delay   time.Duration
	retries int
}

func (b *backoff) Ongoing() bool { return b.ctx.Err() == nil }

func (b *backoff) Err() error { return b.ctx.Err() }

func (b *backoff) Wait() {
	b.retries++
	t := time.NewTimer(b.delay)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
	case <-t.C:
	}
}

// ---- Lifecycler ---------------------------------------------------------------

const (
	PENDING = iota
	JOINING
	ACTIVE
)

type Lifecycler struct {
	KVStore         *ConsulClient
	RingKey         string
	RingName        string
	ID              string
	Addr            string
	JoinAfter       time.Duration
	HeartbeatPeriod time.Duration
	canJoinTimeout  time.Duration
	state           int
	actorChan       chan func()
}

func GetOrCreateRingDesc(in interface{}) *Desc {
	if d, ok := in.(*Desc); ok && d != nil {
		return d
	}
	return &Desc{Ingesters: map[string]InstanceDesc{}}
}

func (i *Lifecycler) loop(ctx context.Context) error {
	// First, see if we exist in the cluster, update our state to match if we do,
	// and add ourselves (without tokens) if we don't.
	if err := i.initRing(ctx); err != nil {
		return fmt.Errorf("failed to join the ring %s: %w", i.RingName, err)
	}

	// We do various period tasks
	autoJoinAfter := time.NewTimer(i.JoinAfter)
	defer autoJoinAfter.Stop()
	heartbeatTicker := time.NewTicker(i.HeartbeatPeriod)
	defer heartbeatTicker.Stop()

	for {
		select {
		case <-autoJoinAfter.C:
			if i.state == PENDING {
				if err := i.autoJoin(ctx, ACTIVE); err != nil {
					return fmt.Errorf("failed to pick tokens in the KV store, ring: %s: %w", i.RingName, err)
				}
			}

		case <-heartbeatTicker.C:
			if err := i.updateConsul(ctx); err != nil {
				log.Printf("failed to write to the KV store, sleeping ring=%s err=%v", i.RingName, err)
			}

		case f := <-i.actorChan:
			f()

		case <-ctx.Done():
			log.Printf("lifecycler loop() exited gracefully ring=%s", i.RingName)
			return nil
		}
	}
}

func (i *Lifecycler) initRing(ctx context.Context) error {
	return i.KVStore.CAS(ctx, i.RingKey, func(in interface{}) (out interface{}, retry bool, err error) {
		ringDesc := GetOrCreateRingDesc(in)
		if _, ok := ringDesc.Ingesters[i.ID]; !ok {
			ringDesc.Ingesters[i.ID] = InstanceDesc{Addr: i.Addr, State: i.state}
			return ringDesc, true, nil
		}
		return nil, true, nil
	})
}

func (i *Lifecycler) waitBeforeJoining(ctx context.Context) error {
	ctxWithTimeout, cancel := context.WithTimeout(ctx, i.canJoinTimeout)
	defer cancel()
	retries := &backoff{ctx: ctxWithTimeout, delay: time.Second}

	var lastError error
	for ; retries.Ongoing(); retries.Wait() {
		var desc interface{}
		desc, lastError = i.KVStore.Get(ctxWithTimeout, i.RingKey)
		if lastError != nil {
			lastError = fmt.Errorf("error getting the ring from the KV store: %w", lastError)
			continue
		}
		ringDesc, ok := desc.(*Desc)
		if !ok || ringDesc == nil {
			lastError = errors.New("no ring returned from the KV store")
			continue
		}
		return nil
	}

	if lastError == nil {
		lastError = retries.Err()
	}
	log.Printf("there was a problem while checking whether this instance could join the ring - will continue anyway err=%v", lastError)

	// Return error only in case the parent context has been cancelled.
	// In all other cases, we just want to swallow the error and move on.
	return ctx.Err()
}

func (i *Lifecycler) autoJoin(ctx context.Context, targetState int) error {
	err := i.waitBeforeJoining(ctx)
	if err != nil {
		return err
	}
	return i.KVStore.CAS(ctx, i.RingKey, func(in interface{}) (out interface{}, retry bool, err error) {
		ringDesc := GetOrCreateRingDesc(in)
		i.state = targetState
		ringDesc.Ingesters[i.ID] = InstanceDesc{Addr: i.Addr, State: targetState, Tokens: []uint32{1, 2, 3}}
		return ringDesc, true, nil
	})
}

func (i *Lifecycler) updateConsul(ctx context.Context) error {
	return i.KVStore.CAS(ctx, i.RingKey, func(in interface{}) (out interface{}, retry bool, err error) {
		ringDesc := GetOrCreateRingDesc(in)
		d := ringDesc.Ingesters[i.ID]
		d.State = i.state
		d.Addr = i.Addr
		ringDesc.Ingesters[i.ID] = d
		return ringDesc, true, nil
	})
}
