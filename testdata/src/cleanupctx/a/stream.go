package a

import (
	"context"
	"time"
)

// transferStream is a gRPC server stream: its Context() is the call's.
type transferStream interface {
	Context() context.Context
	Recv() (string, error)
}

type ring struct{ l *leases }

func (r *ring) changeState(ctx context.Context, state string) error {
	return r.l.delete(ctx, state)
}

// The rollback runs when the transfer failed, often because the stream was
// cancelled: given stream.Context(), it fails at once (Loki's
// TransferChunks).
func (r *ring) transfer(stream transferStream) error {
	if err := r.changeState(stream.Context(), "joining"); err != nil {
		return err
	}
	defer func() { // want `deferred \(\*a.ring\).changeState \(in the func literal in \(\*a.ring\).transfer\) gets the function's own context: when the function returns because stream.Context\(\) is done`
		r.changeState(stream.Context(), "pending")
	}()
	_, err := stream.Recv()
	return err
}

// The fix: a budget of the rollback's own.
func (r *ring) transferFixed(stream transferStream) error {
	if err := r.changeState(stream.Context(), "joining"); err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		r.changeState(ctx, "pending")
	}()
	_, err := stream.Recv()
	return err
}
