package patterns

import (
	"context"
	"database/sql"
	"math"
	"time"
)

// A retry loop on a context the function made itself, before the loop
// (ollama's blob blobUpload: ctx, b.cancel = context.WithCancel(ctx), then six
// attempts with growing sleeps): once anyone cancels it, every attempt
// fails at once and the loop sleeps through all of them.
type blobUpload struct {
	cancel context.CancelFunc
	err    error
}

func (u *blobUpload) complete(ctx context.Context, db *sql.DB) {
	ctx, u.cancel = context.WithCancel(ctx)
	for try := 0; try < 6; try++ {
		_, err := db.ExecContext(ctx, "UPDATE uploads SET done = true") // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), pausing between attempts without checking the context`
		if err != nil {
			u.err = err
			time.Sleep(time.Second * time.Duration(math.Pow(2, float64(try))))
			continue
		}
		u.err = nil
		return
	}
}

// A budget made anew for each attempt may run out and be retried.
func (u *blobUpload) completePerAttempt(db *sql.DB) {
	for try := 0; try < 6; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := db.ExecContext(ctx, "UPDATE uploads SET done = true")
		cancel()
		if err != nil {
			u.err = err
			time.Sleep(time.Second * time.Duration(math.Pow(2, float64(try))))
			continue
		}
		u.err = nil
		return
	}
}
