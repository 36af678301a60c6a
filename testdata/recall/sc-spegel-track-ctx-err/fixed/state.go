// Recall case sc-spegel-track-ctx-err
// Source: github.com/spegel-org/spegel commit 7f3a9226933b0b29f4ffd1c35ee21271c58dcaaf (pkg/state/state.go)
// Link: https://github.com/spegel-org/spegel/commit/7f3a9226933b0b29f4ffd1c35ee21271c58dcaaf
// Bug: Track's loop returns nil on <-ctx.Done(), turning the cancellation of the state-tracking loop into a success so callers cannot tell it was cancelled.
// Fix: the ctx.Done() branch returns ctx.Err() instead of nil.
// Rule: swallowcancel
package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

// KeyTTL mirrors routing.KeyTTL.
const KeyTTL = 10 * time.Minute

type EventType string

const CreateEvent EventType = "CREATE"

type OCIEvent struct {
	Type EventType
	Key  string
}

type Image struct {
	Registry string
	Tag      string
}

func (i Image) TagName() (string, bool) { return i.Registry + ":" + i.Tag, i.Tag != "" }

// Store mirrors oci.Store.
type Store interface {
	Subscribe(ctx context.Context) (<-chan OCIEvent, error)
	ListImages(ctx context.Context) ([]Image, error)
}

// Router mirrors routing.Router.
type Router interface {
	Advertise(ctx context.Context, keys []string) error
}

// HTTPRouter is a Router stand-in that advertises keys to a peer over HTTP.
type HTTPRouter struct {
	Client *http.Client
	URL    string
}

func (r *HTTPRouter) Advertise(ctx context.Context, keys []string) error {
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("advertise failed: %s", resp.Status)
	}
	return nil
}

// merge mirrors internal/channel.Merge.
func merge[T any](cs ...<-chan T) <-chan T {
	out := make(chan T)
	for _, c := range cs {
		go func(c <-chan T) {
			for v := range c {
				out <- v
			}
		}(c)
	}
	return out
}

func Track(ctx context.Context, ociStore Store, router Router, resolveLatestTag bool) error {
	eventCh, err := ociStore.Subscribe(ctx)
	if err != nil {
		return err
	}
	immediateCh := make(chan time.Time, 1)
	immediateCh <- time.Now()
	close(immediateCh)
	expirationTicker := time.NewTicker(KeyTTL - time.Minute)
	defer expirationTicker.Stop()
	tickerCh := merge(immediateCh, expirationTicker.C)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tickerCh:
			log.Print("running state update")
			err := tick(ctx, ociStore, router, resolveLatestTag)
			if err != nil {
				log.Printf("received errors when updating all images: %v", err)
				continue
			}
		case event, ok := <-eventCh:
			if !ok {
				return errors.New("event channel closed")
			}
			log.Printf("OCI event key=%s type=%s", event.Key, event.Type)
			err := handle(ctx, router, event)
			if err != nil {
				log.Printf("could not handle event: %v", err)
				continue
			}
		}
	}
}

func tick(ctx context.Context, ociStore Store, router Router, resolveLatest bool) error {
	imgs, err := ociStore.ListImages(ctx)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		tagName, ok := img.TagName()
		if !ok {
			continue
		}
		if !resolveLatest && img.Tag == "latest" {
			continue
		}
		err := router.Advertise(ctx, []string{tagName})
		if err != nil {
			return err
		}
	}
	return nil
}

func handle(ctx context.Context, router Router, event OCIEvent) error {
	if event.Type != CreateEvent {
		return nil
	}
	err := router.Advertise(ctx, []string{event.Key})
	if err != nil {
		return err
	}
	return nil
}
