package a

import (
	"context"
	"database/sql"
	"log"
	"time"
)

// A goroutine that retries with the context it captured from its
// enclosing function (k3s-io/kine's NATS watch): the captured ctx is the
// same on every round, so this is a retry of the same work.
func watchInGoroutine(ctx context.Context, db *sql.DB, out chan<- int) {
	go func() {
		for {
			_, err := db.ExecContext(ctx, "LISTEN t")
			if err == nil {
				break
			}
			log.Print(err)
			time.Sleep(time.Second) // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), without checking the context`
		}
		out <- 1
	}()
}

// The closure's loop moves on to another context each round: not the same
// work again.
func watchNextContext(ctx context.Context, db *sql.DB, next func() context.Context) {
	go func() {
		for {
			_, err := db.ExecContext(ctx, "LISTEN t")
			if err == nil {
				break
			}
			log.Print(err)
			ctx = next()
		}
	}()
}

// The closure checks the captured context before retrying.
func watchChecked(ctx context.Context, db *sql.DB) {
	go func() {
		for {
			_, err := db.ExecContext(ctx, "LISTEN t")
			if err == nil || ctx.Err() != nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()
}
