// Recall case sc-kine-natswatchinit
// Source: github.com/k3s-io/kine commit 8eededfdb795e5df63fe07ba3f707eabce608c05 (pkg/drivers/nats/backend.go)
// Link: https://github.com/k3s-io/kine/commit/8eededfdb795e5df63fe07ba3f707eabce608c05
// Bug: the goroutine started by Backend.Watch retries b.kv.Watch(ctx, ...) in an endless loop on any error, including context.Canceled, so once the watch ctx is cancelled it logs "watch init ... context canceled" and sleeps/retries forever instead of stopping.
// Fix: the retry loop returns when errors.Is(err, context.Canceled).
// Rule: swallowcancel
package nats

import (
	"bufio"
	"context"
	"errors"
	"log"
	"net"
	"time"
)

// KeyValueEntry is a stand-in for jetstream.KeyValueEntry.
type KeyValueEntry struct {
	Key   string
	Value []byte
}

// KeyWatcher is a stand-in for jetstream.KeyWatcher.
type KeyWatcher interface {
	Updates() <-chan KeyValueEntry
	Stop() error
}

type connWatcher struct {
	conn    net.Conn
	updates chan KeyValueEntry
}

func (w *connWatcher) Updates() <-chan KeyValueEntry { return w.updates }
func (w *connWatcher) Stop() error                   { return w.conn.Close() }

// KeyValue talks to the NATS server; stand-in for the kine NATS kv wrapper.
type KeyValue struct {
	addr     string
	dialer   net.Dialer
	revision int64
}

// Watch opens a watch subscription on the server.
func (kv *KeyValue) Watch(ctx context.Context, prefix string, startRevision int64) (KeyWatcher, error) {
	conn, err := kv.dialer.DialContext(ctx, "tcp", kv.addr)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write([]byte("SUB " + prefix + "\r\n")); err != nil {
		conn.Close()
		return nil, err
	}
	w := &connWatcher{conn: conn, updates: make(chan KeyValueEntry)}
	go func() {
		defer close(w.updates)
		sc := bufio.NewScanner(conn)
		for sc.Scan() {
			w.updates <- KeyValueEntry{Key: prefix, Value: append([]byte(nil), sc.Bytes()...)}
		}
	}()
	return w, nil
}

func (kv *KeyValue) BucketRevision() int64 { return kv.revision }

type Event struct {
	Key   string
	Value []byte
}

type WatchResult struct {
	CurrentRevision int64
	Events          <-chan []*Event
}

type Backend struct {
	kv *KeyValue
	l  *log.Logger
}

func (b *Backend) Watch(ctx context.Context, prefix string, startRevision int64) WatchResult {
	events := make(chan []*Event, 32)

	rev := startRevision
	if rev == 0 {
		rev = b.kv.BucketRevision()
	}

	go func() {
		defer close(events)

		var w KeyWatcher
		for {
			var err error
			w, err = b.kv.Watch(ctx, prefix, startRevision)
			if err == nil {
				break
			} else if errors.Is(err, context.Canceled) {
				return
			}
			b.l.Printf("watch init: prefix=%s, err=%s", prefix, err)
			time.Sleep(time.Second)
		}

		for {
			select {
			case <-ctx.Done():
				err := ctx.Err()
				if err != nil && err != context.Canceled {
					b.l.Printf("watch ctx: prefix=%s, err=%s", prefix, err)
				}
				return

			case e := <-w.Updates():
				events <- []*Event{{Key: e.Key, Value: e.Value}}
			}
		}
	}()

	return WatchResult{
		Events:          events,
		CurrentRevision: rev,
	}
}
