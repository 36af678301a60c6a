// Recall case cc-buildkit-historylease
// Source: github.com/moby/buildkit commit 4103099d94ed30bdfd871358ba45dd5351722d08 (solver/llbsolver/history.go)
// Link: https://github.com/moby/buildkit/pull/5031
// Bug: when OpenBlobWriter fails because the caller's ctx was cancelled (content.OpenWriter gives up on ctx.Done), the deferred cleanup deletes the just-created temporary lease with that same cancelled ctx, so the Delete RPC fails immediately and the lease is leaked.
// Fix: the deferred cleanup calls h.hLeaseManager.Delete(context.WithoutCancel(ctx), l) so the lease removal still runs after cancellation.
// Rule: cleanupctx
package llbsolver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	mrand "math/rand"
	"net/http"
	"time"
)

// --- minimal stand-ins for containerd leases/content, talking to a daemon over HTTP ---

type Lease struct {
	ID     string
	Labels map[string]string
}

type leaseOpt func(*Lease) error

func WithRandomID() leaseOpt {
	return func(l *Lease) error {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		l.ID = hex.EncodeToString(b[:])
		return nil
	}
}

func WithExpiration(d time.Duration) leaseOpt {
	return func(l *Lease) error {
		l.Labels["containerd.io/gc.expire"] = time.Now().Add(d).Format(time.RFC3339)
		return nil
	}
}

func MakeTemporary(l *Lease) error {
	l.Labels["buildkit/lease.temporary"] = time.Now().UTC().Format(time.RFC3339Nano)
	return nil
}

// LeaseManager mirrors leases.Manager.
type LeaseManager interface {
	Create(ctx context.Context, opts ...leaseOpt) (Lease, error)
	Delete(ctx context.Context, l Lease) error
}

type leaseKey struct{}

// WithLease mirrors leases.WithLease.
func WithLease(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, leaseKey{}, id)
}

type remoteLeaseManager struct {
	addr   string
	client *http.Client
}

func (m *remoteLeaseManager) Create(ctx context.Context, opts ...leaseOpt) (Lease, error) {
	l := Lease{Labels: map[string]string{}}
	for _, o := range opts {
		if err := o(&l); err != nil {
			return Lease{}, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, m.addr+"/leases/"+l.ID, nil)
	if err != nil {
		return Lease{}, err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return Lease{}, err
	}
	resp.Body.Close()
	return l, nil
}

func (m *remoteLeaseManager) Delete(ctx context.Context, l Lease) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, m.addr+"/leases/"+l.ID, nil)
	if err != nil {
		return err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

var errUnavailable = errors.New("ref is locked")

// ContentWriter mirrors content.Writer.
type ContentWriter interface {
	io.WriteCloser
	Commit(ctx context.Context, size int64, expected string) error
}

// ContentStore mirrors the Writer part of content.Store.
type ContentStore interface {
	Writer(ctx context.Context, ref string) (ContentWriter, error)
}

type remoteContentStore struct {
	addr   string
	client *http.Client
}

type remoteWriter struct {
	store *remoteContentStore
	ref   string
	buf   bytes.Buffer
}

func (w *remoteWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }
func (w *remoteWriter) Close() error                { return nil }
func (w *remoteWriter) Commit(ctx context.Context, size int64, expected string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.store.addr+"/content/"+w.ref+"?digest="+expected, &w.buf)
	if err != nil {
		return err
	}
	resp, err := w.store.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (s *remoteContentStore) Writer(ctx context.Context, ref string) (ContentWriter, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.addr+"/ingest/"+ref, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusLocked {
		return nil, errUnavailable
	}
	return &remoteWriter{store: s, ref: ref}, nil
}

// OpenWriter mirrors content.OpenWriter: it retries while the ref is locked
// and gives up when ctx is done.
func OpenWriter(ctx context.Context, cs ContentStore, ref string) (ContentWriter, error) {
	var (
		cw    ContentWriter
		err   error
		retry = 16
	)
	for {
		cw, err = cs.Writer(ctx, ref)
		if err != nil {
			if !errors.Is(err, errUnavailable) {
				return nil, err
			}

			// TODO(stevvooe): Actually use backoff library here.
			select {
			case <-time.After(time.Millisecond * time.Duration(mrand.Int()%retry)):
				if retry < 2048 {
					retry = retry << 1
				}
				continue
			case <-ctx.Done():
				// Propagate lock error
				return nil, err
			}
		}
		break
	}

	return cw, err
}

// --- solver/llbsolver/history.go (reduced) ---

type HistoryQueue struct {
	hLeaseManager LeaseManager
	hContentStore ContentStore
}

func (h *HistoryQueue) leaseID(id string) string {
	return "ref_" + id
}

type Writer struct {
	mt string
	w  ContentWriter
	lm LeaseManager
	l  Lease

	dgstr hash.Hash
	sz    int
}

func (w *Writer) Write(dt []byte) (int, error) {
	w.dgstr.Write(dt)
	w.sz += len(dt)
	return w.w.Write(dt)
}

func (w *Writer) Discard() {
	w.w.Close()
	w.lm.Delete(context.TODO(), w.l)
}

func (w *Writer) Commit(ctx context.Context) (string, func(), error) {
	dgst := "sha256:" + hex.EncodeToString(w.dgstr.Sum(nil))
	if err := w.w.Commit(WithLease(ctx, w.l.ID), int64(w.sz), dgst); err != nil {
		w.Discard()
		return "", nil, err
	}
	return dgst, func() {
		w.lm.Delete(context.TODO(), w.l)
	}, nil
}

func (h *HistoryQueue) OpenBlobWriter(ctx context.Context, mt string) (_ *Writer, err error) {
	l, err := h.hLeaseManager.Create(ctx, WithRandomID(), WithExpiration(5*time.Minute), MakeTemporary)
	if err != nil {
		return nil, err
	}

	defer func() {
		if err != nil {
			h.hLeaseManager.Delete(context.WithoutCancel(ctx), l)
		}
	}()

	ctx = WithLease(ctx, l.ID)

	w, err := OpenWriter(ctx, h.hContentStore, "history-"+h.leaseID(l.ID))
	if err != nil {
		return nil, err
	}

	return &Writer{
		mt:    mt,
		lm:    h.hLeaseManager,
		l:     l,
		w:     w,
		dgstr: sha256.New(),
	}, nil
}
