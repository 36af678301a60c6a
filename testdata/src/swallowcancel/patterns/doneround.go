package patterns

import (
	"context"
	"database/sql"
	"log"
	"time"
)

// A done case that only logs and goes round (lightninglabs/loop's
// SweepHtlcTimeoutAction): the loop leaves only when the publish succeeds,
// which it cannot once ctx is done, so it retries with the done ctx for
// ever.
func sweepUntilPublished(ctx context.Context, db *sql.DB) int {
	for {
		_, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)")
		if err == nil {
			break
		}
		log.Printf("publish failed: %v, retrying", err)
		select {
		case <-ctx.Done(): // want `this case <-ctx.Done\(\) does not leave the loop, so it goes round again after ctx is done and never ends: each round fails at once or picks this case again; return`
			log.Printf("%v", ctx.Err())
		default:
			<-time.After(time.Hour)
		}
	}
	return 1
}

// The same loop returning an error: the fix names ctx.Err().
func sweepUntilPublishedErr(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done(): // want `this case <-ctx.Done\(\) does not leave the loop.*; return ctx.Err\(\)`
			log.Print("context done")
		case <-time.After(time.Second):
		}
	}
}

// Fixed: the case returns.
func sweepUntilPublishedFixed(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			log.Print("context done")
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// The case sets the flag the loop tests: the loop ends.
func sweepUntilStopped(ctx context.Context, db *sql.DB) {
	stopped := false
	for !stopped {
		if _, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)"); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			log.Print("context done")
			stopped = true
		case <-time.After(time.Second):
		}
	}
}

// The loop also leaves on a failure: once ctx is done the call fails and
// the loop ends.
func sweepOnce(ctx context.Context, db *sql.DB, quit <-chan struct{}) error {
	for {
		select {
		case <-ctx.Done():
			log.Print("context done")
		case <-quit:
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)"); err != nil {
			return err
		}
	}
}

// A case that tells a worker to stop, while another case leaves: the
// loop's way out is not the work's success.
type sweeper struct{ stop chan struct{} }

func (s *sweeper) shutdown() { close(s.stop) }

func (s *sweeper) run(ctx context.Context, db *sql.DB) {
	for {
		select {
		case <-ctx.Done():
			s.shutdown()
		case <-s.stop:
			return
		case <-time.After(time.Second):
			db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)")
		}
	}
}

// The case moves to a new context: the next round works with that one.
func sweepWithNext(ctx context.Context, db *sql.DB, next func() context.Context) {
	for {
		if _, err := db.ExecContext(ctx, "INSERT INTO sweeps VALUES (1)"); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			log.Print("moving on")
			ctx = next()
		case <-time.After(time.Second):
		}
	}
}
