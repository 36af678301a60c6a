// Recall case sd-natsgo-purgedeletes
// Source: github.com/nats-io/nats.go commit aeebc8db01ab0adcc564ca845d3bae42219ec42d (kv.go)
// Link: https://github.com/nats-io/nats.go/commit/aeebc8db01ab0adcc564ca845d3bae42219ec42d
// Bug: PurgeDeletes honours the caller's Context() option only for the watcher; each purgeStream call gets no context option, so getJSContextOpts starts a fresh context.WithTimeout(context.Background(), js.wait) per purge, ignoring the caller's cancellation and deadline.
// Fix: the caller's context is passed to purgeStream as a Context(o.ctx) JSOpt.
// Rule: sharedeadline
package nats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var ErrContextAndTimeout = errors.New("nats: context and timeout can not both be set")

// Conn is a stand-in for *nats.Conn: a request/reply round trip done over HTTP.
type Conn struct {
	url    string
	client *http.Client
}

// Msg is a reply message.
type Msg struct {
	Data []byte
}

func (nc *Conn) RequestWithContext(ctx context.Context, subj string, data []byte) (*Msg, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nc.url+"/"+subj, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	resp, err := nc.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Msg{Data: b}, nil
}

type jsOpts struct {
	ctx  context.Context
	pre  string
	wait time.Duration
}

// JSOpt configures a JetStream API call.
type JSOpt interface {
	configureJSContext(opts *jsOpts) error
}

// PurgeOpt configures PurgeDeletes.
type PurgeOpt interface {
	configurePurge(opts *purgeOpts) error
}

// WatchOpt configures a watcher.
type WatchOpt interface {
	configureWatcher(opts *watchOpts) error
}

// ContextOpt is an option used to set a context.Context.
type ContextOpt struct {
	context.Context
}

func (ctx ContextOpt) configureJSContext(opts *jsOpts) error {
	opts.ctx = ctx
	return nil
}

func (ctx ContextOpt) configurePurge(opts *purgeOpts) error {
	opts.ctx = ctx
	return nil
}

func (ctx ContextOpt) configureWatcher(opts *watchOpts) error {
	opts.ctx = ctx
	return nil
}

// Context returns an option that can be used to configure a context for APIs
// that are context aware.
func Context(ctx context.Context) ContextOpt {
	return ContextOpt{ctx}
}

type js struct {
	nc   *Conn
	opts *jsOpts
}

func (js *js) apiSubj(subj string) string {
	return js.opts.pre + subj
}

func getJSContextOpts(defs *jsOpts, opts ...JSOpt) (*jsOpts, context.CancelFunc, error) {
	var o jsOpts
	for _, opt := range opts {
		if err := opt.configureJSContext(&o); err != nil {
			return nil, nil, err
		}
	}

	// Check for option collisions. Right now just timeout and context.
	if o.ctx != nil && o.wait != 0 {
		return nil, nil, ErrContextAndTimeout
	}
	if o.wait == 0 && o.ctx == nil {
		o.wait = defs.wait
	}
	var cancel context.CancelFunc
	if o.ctx == nil && o.wait > 0 {
		o.ctx, cancel = context.WithTimeout(context.Background(), o.wait)
	}
	if o.pre == "" {
		o.pre = defs.pre
	}

	return &o, cancel, nil
}

// StreamPurgeRequest is optional request information to the purge API.
type StreamPurgeRequest struct {
	Subject string `json:"filter,omitempty"`
	Keep    uint64 `json:"keep,omitempty"`
}

type apiError struct {
	Code        int    `json:"code"`
	Description string `json:"description,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("nats: %s", e.Description) }

type streamPurgeResponse struct {
	Error   *apiError `json:"error,omitempty"`
	Success bool      `json:"success,omitempty"`
	Purged  uint64    `json:"purged"`
}

func (js *js) purgeStream(stream string, req *StreamPurgeRequest, opts ...JSOpt) error {
	o, cancel, err := getJSContextOpts(js.opts, opts...)
	if err != nil {
		return err
	}
	if cancel != nil {
		defer cancel()
	}

	var b []byte
	if req != nil {
		if b, err = json.Marshal(req); err != nil {
			return err
		}
	}

	psSubj := js.apiSubj(fmt.Sprintf("STREAM.PURGE.%s", stream))
	r, err := js.nc.RequestWithContext(o.ctx, psSubj, b)
	if err != nil {
		return err
	}
	var resp streamPurgeResponse
	if err := json.Unmarshal(r.Data, &resp); err != nil {
		return err
	}
	if resp.Error != nil {
		return resp.Error
	}
	return nil
}

// KeyValueOp is the operation of a KV entry.
type KeyValueOp uint8

const (
	KeyValuePut KeyValueOp = iota
	KeyValueDelete
	KeyValuePurge
)

// KeyValueEntry is a retrieved entry.
type KeyValueEntry struct {
	Key       string     `json:"key"`
	Created   time.Time  `json:"created"`
	Operation KeyValueOp `json:"op"`
}

type watchOpts struct {
	ctx context.Context
}

// watcher is a stand-in for the KV watcher: it lists the entries once.
type watcher struct {
	updates chan *KeyValueEntry
	cancel  context.CancelFunc
}

func (w *watcher) Updates() <-chan *KeyValueEntry { return w.updates }
func (w *watcher) Stop() error                    { w.cancel(); return nil }

type kvs struct {
	name   string
	stream string
	pre    string
	js     *js
}

func (kv *kvs) WatchAll(opts ...WatchOpt) (*watcher, error) {
	var o watchOpts
	for _, opt := range opts {
		if err := opt.configureWatcher(&o); err != nil {
			return nil, err
		}
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(o.ctx)
	msg, err := kv.js.nc.RequestWithContext(ctx, kv.js.apiSubj("DIRECT.GET."+kv.stream), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	var entries []*KeyValueEntry
	if err := json.Unmarshal(msg.Data, &entries); err != nil {
		cancel()
		return nil, err
	}
	w := &watcher{updates: make(chan *KeyValueEntry, len(entries)+1), cancel: cancel}
	for _, e := range entries {
		w.updates <- e
	}
	w.updates <- nil
	return w, nil
}

const kvDefaultPurgeDeletesMarkerThreshold = 30 * time.Minute

type purgeOpts struct {
	dmthr time.Duration // Delete markers threshold
	ctx   context.Context
}

// PurgeDeletes will remove all current delete markers.
func (kv *kvs) PurgeDeletes(opts ...PurgeOpt) error {
	var o purgeOpts
	for _, opt := range opts {
		if opt != nil {
			if err := opt.configurePurge(&o); err != nil {
				return err
			}
		}
	}
	// Transfer possible context purge option to the watcher. This is the
	// only option that matters for the PurgeDeletes() feature.
	var wopts []WatchOpt
	if o.ctx != nil {
		wopts = append(wopts, Context(o.ctx))
	}
	watcher, err := kv.WatchAll(wopts...)
	if err != nil {
		return err
	}
	defer watcher.Stop()

	var limit time.Time
	olderThan := o.dmthr
	if olderThan == 0 {
		olderThan = kvDefaultPurgeDeletesMarkerThreshold
	}
	if olderThan > 0 {
		limit = time.Now().Add(-olderThan)
	}

	var deleteMarkers []*KeyValueEntry
	for entry := range watcher.Updates() {
		if entry == nil {
			break
		}
		if op := entry.Operation; op == KeyValueDelete || op == KeyValuePurge {
			deleteMarkers = append(deleteMarkers, entry)
		}
	}
	watcher.Stop()

	var (
		pr StreamPurgeRequest
		b  strings.Builder
	)
	// Do actual purges here.
	for _, entry := range deleteMarkers {
		b.WriteString(kv.pre)
		b.WriteString(entry.Key)
		pr.Subject = b.String()
		pr.Keep = 0
		if olderThan > 0 && entry.Created.After(limit) {
			pr.Keep = 1
		}
		if err := kv.js.purgeStream(kv.stream, &pr); err != nil {
			return err
		}
		b.Reset()
	}
	return nil
}
