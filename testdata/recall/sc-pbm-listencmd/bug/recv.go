// Recall case sc-pbm-listencmd
// Source: github.com/percona/percona-backup-mongodb commit 1b2a8ba866cd54c36c84580b2031de49d73757c2 (pbm/ctrl/recv.go)
// Link: https://github.com/percona/percona-backup-mongodb/commit/1b2a8ba866cd54c36c84580b2031de49d73757c2
// Bug: ListenCmd's watch loop only stops when the Find error is context.Canceled; any other context error (e.g. DeadlineExceeded) is reported and the query is retried in a loop forever, and the loop never checks ctx itself.
// Fix: the loop selects on ctx.Done() at the top, sends ctx.Err() on the error channel and returns, instead of retrying.
// Rule: swallowcancel
package ctrl

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type CursorClosedError struct {
	Err error
}

func (c CursorClosedError) Error() string {
	return "cursor was closed with:" + c.Err.Error()
}

func (c CursorClosedError) Is(err error) bool {
	if err == nil {
		return false
	}

	_, ok := err.(CursorClosedError) //nolint:errorlint
	return ok
}

func (c CursorClosedError) Unwrap() error {
	return c.Err
}

func ListenCmd(ctx context.Context, m Client, cl <-chan struct{}) (<-chan Cmd, <-chan error) {
	cmd := make(chan Cmd)
	errc := make(chan error)

	go func() {
		defer close(cmd)
		defer close(errc)

		ts := time.Now().UTC().Unix()
		var lastTS int64
		var lastCmd Command
		for {
			select {
			case <-cl:
				return
			default:
			}
			cur, err := m.CmdStreamCollection().Find(ctx, ts)
			if err != nil {
				errc <- fmt.Errorf("watch the cmd stream: %w", err)
				if errors.Is(err, context.Canceled) {
					return
				}
				continue
			}

			for cur.Next(ctx) {
				c := Cmd{}
				err := cur.Decode(&c)
				if err != nil {
					errc <- fmt.Errorf("message decode: %w", err)
					continue
				}

				if c.Cmd == lastCmd && c.TS == lastTS {
					continue
				}

				lastCmd = c.Cmd
				lastTS = c.TS
				cmd <- c
				ts = time.Now().UTC().Unix()
			}
			if err := cur.Err(); err != nil {
				errc <- CursorClosedError{err}
				cur.Close(ctx)
				return
			}
			cur.Close(ctx)
		}
	}()

	return cmd, errc
}
