// Recall case sc-kawa-batcher
// Source: github.com/runreveal/kawa commit f22a9ce952aa6369041d869b0ba15e0d5221737e (x/batcher/batcher.go)
// Link: https://github.com/runreveal/kawa/commit/f22a9ce952aa6369041d869b0ba15e0d5221737e
// Bug: when ctx is cancelled, Send and flush return nil and Run breaks out of its loop with err still nil, so cancellation of the batcher is reported to callers as success.
// Fix: the ctx.Done() branches return / record ctx.Err() instead of nil.
// Rule: swallowcancel
package batch

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Message is a stand-in for kawa.Message[T].
type Message[T any] struct {
	Value T
}

type Flusher[T any] interface {
	Flush(context.Context, []Message[T]) error
}

type FlushFunc[T any] func(context.Context, []Message[T]) error

func (ff FlushFunc[T]) Flush(c context.Context, msgs []Message[T]) error {
	return ff(c, msgs)
}

// HTTPFlusher posts each batch to an HTTP sink.
func HTTPFlusher(client *http.Client, url string) Flusher[string] {
	return FlushFunc[string](func(ctx context.Context, msgs []Message[string]) error {
		var buf bytes.Buffer
		for _, m := range msgs {
			buf.WriteString(m.Value)
			buf.WriteByte('\n')
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &buf)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("sink returned %d", resp.StatusCode)
		}
		return nil
	})
}

type Destination[T any] struct {
	flusher   Flusher[T]
	flushq    chan struct{}
	flushlen  int
	flushfreq time.Duration
	flusherr  chan error
	flushwg   *sync.WaitGroup

	messages chan msgAck[T]
	buf      []msgAck[T]
}

func NewDestination[T any](f Flusher[T], flushLength, flushParallelism int, flushFrequency time.Duration) *Destination[T] {
	return &Destination[T]{
		flushlen:  flushLength,
		flushq:    make(chan struct{}, flushParallelism),
		flusherr:  make(chan error, flushParallelism),
		flusher:   f,
		flushwg:   &sync.WaitGroup{},
		flushfreq: flushFrequency,

		messages: make(chan msgAck[T]),
	}
}

type msgAck[T any] struct {
	msg Message[T]
	ack func()
}

// Send accepts messages to be buffered for flushing after the FlushLength
// limit is reached or the FlushFrequency timer fires, whichever comes first.
func (d *Destination[T]) Send(ctx context.Context, ack func(), msgs ...Message[T]) error {
	if len(msgs) < 1 {
		return nil
	}

	for _, m := range msgs {
		select {
		case d.messages <- msgAck[T]{msg: m, ack: ack}:
		case <-ctx.Done():
			// TODO: one more flush?
			return nil
		}
	}

	return nil
}

func (d *Destination[T]) Run(ctx context.Context) error {
	var err error
	var epoch uint64
	epochC := make(chan uint64)
	setTimer := true

	ctx, cancel := context.WithCancel(ctx)

loop:
	for {
		select {
		case msg := <-d.messages:
			if setTimer {
				// copy the epoch to send on the chan after the timer fires
				epc := epoch
				time.AfterFunc(d.flushfreq, func() {
					epochC <- epc
				})
				setTimer = false
			}
			d.buf = append(d.buf, msg)
			if len(d.buf) >= d.flushlen {
				err = d.flush(ctx)
				if err != nil {
					break loop
				}
				setTimer = true
				epoch++
			}
		case tEpoch := <-epochC:
			// if we haven't flushed yet this epoch, then flush, otherwise ignore
			if tEpoch == epoch {
				err = d.flush(ctx)
				if err != nil {
					break loop
				}
				setTimer = true
				epoch++
			}
		case err = <-d.flusherr:
			break loop
		case <-ctx.Done():
			// TODO: one more flush?
			break loop
		}
	}

	cancel()

	// Wait for in-flight flushes to finish
	d.flushwg.Wait()

	return err
}

func (d *Destination[T]) flush(ctx context.Context) error {
	select {
	// Acquire flush slot
	case d.flushq <- struct{}{}:
		// Have to make a copy so these don't get overwritten
		msgs := make([]msgAck[T], len(d.buf))
		copy(msgs, d.buf)
		d.flushwg.Add(1)
		go d.doflush(ctx, msgs)
		// Clear the buffer for the next batch
		d.buf = d.buf[:0]
	case err := <-d.flusherr:
		return err
	case <-ctx.Done():
		// TODO: one more flush?
		return nil
	}
	return nil
}

func (d *Destination[T]) doflush(ctx context.Context, msgs []msgAck[T]) {
	kawaMsgs := make([]Message[T], 0, len(msgs))
	for _, m := range msgs {
		kawaMsgs = append(kawaMsgs, m.msg)
	}

	err := d.flusher.Flush(ctx, kawaMsgs)
	if err != nil {
		slog.Debug("flush err", "error", err)
		d.flusherr <- err
		d.flushwg.Done()
		return
	}

	for _, m := range msgs {
		if m.ack != nil {
			m.ack()
		}
	}

	d.flushwg.Done()
	select {
	// clear flush slot
	case <-d.flushq:
	default:
		panic("read of empty flushq")
	}
}
