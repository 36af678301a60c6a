package patterns

import (
	"context"
	"crypto/sha256"
)

type blobResult struct {
	id    [32]byte
	known bool
}

// futureBlob is the result of a save running elsewhere.
type futureBlob struct {
	ch  <-chan blobResult
	res blobResult
}

// wait returns early, without a word, once ctx is done (restic's
// FutureBlob.Wait).
func (f *futureBlob) wait(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case res, ok := <-f.ch:
		if ok {
			f.res = res
		}
	}
}

func save(ctx context.Context, data []byte) *futureBlob {
	ch := make(chan blobResult, 1)
	ch <- blobResult{id: sha256.Sum256(data)}
	return &futureBlob{ch: ch}
}

// The cancellation is reported as a saved tree with a zero ID.
func saveTree(ctx context.Context, data []byte) ([32]byte, error) {
	res := save(ctx, data)
	res.wait(ctx) // want `\(\*patterns.futureBlob\).wait returns early, without a word, once ctx is done, and this function then returns a nil error`
	return res.res.id, nil
}

// The fix: look at the context after waiting.
func saveTreeFixed(ctx context.Context, data []byte) ([32]byte, error) {
	res := save(ctx, data)
	res.wait(ctx)
	if err := ctx.Err(); err != nil {
		return [32]byte{}, err
	}
	return res.res.id, nil
}

type pool struct{ wake chan chan struct{} }

// refresh is a side errand that gives up once ctx is done.
func (p *pool) refresh(ctx context.Context) {
	done := make(chan struct{})
	select {
	case <-ctx.Done():
		return
	case p.wake <- done:
	}
}

func (p *pool) send(ctx context.Context, q string) (string, error) { return q, ctx.Err() }

// The request itself succeeded; the refresh after it is best effort
// (kafka-go's roundTrip): the result returned is not the refresh's.
func (p *pool) roundTrip(ctx context.Context, q string) (string, error) {
	r, err := p.send(ctx, q)
	if err != nil {
		return "", err
	}
	p.refresh(ctx)
	return r, nil
}
