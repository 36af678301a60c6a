package a

import (
	"context"
	"database/sql"
)

// callback is how a streaming read reports its outcome (oxia's
// StreamCallback).
type callback interface {
	OnNext(row string) error
	OnComplete(err error)
}

// The loop stops once ctx is done and then completes with nil: the
// receiver takes the abandoned read for a finished one.
func readAll(ctx context.Context, db *sql.DB, keys []string, cb callback) {
	go func() {
		for _, k := range keys {
			var v string
			if err := db.QueryRowContext(ctx, "SELECT v FROM t WHERE k = ?", k).Scan(&v); err != nil {
				cb.OnComplete(err)
				return
			}
			if err := cb.OnNext(v); err != nil {
				cb.OnComplete(err)
				return
			}
			if ctx.Err() != nil {
				break
			}
		}
		cb.OnComplete(nil) // want `cb.OnComplete\(\) is given a nil error when ctx is done, though it is how this function reports its failures`
	}()
}

// Not reported: the fixed form completes with the context's error.
func readAllFixed(ctx context.Context, db *sql.DB, keys []string, cb callback) {
	var err error
	for _, k := range keys {
		var v string
		if err = db.QueryRowContext(ctx, "SELECT v FROM t WHERE k = ?", k).Scan(&v); err != nil {
			break
		}
		if err = ctx.Err(); err != nil {
			break
		}
	}
	cb.OnComplete(err)
}

// Not reported: a completion only ever given nil reports no failures.
func notifyAll(ctx context.Context, keys []string, cb callback) {
	for range keys {
		if ctx.Err() != nil {
			break
		}
	}
	cb.OnComplete(nil)
}
