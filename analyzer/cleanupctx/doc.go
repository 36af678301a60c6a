// Package cleanupctx defines an Analyzer that reports cleanup calls given a
// context that is already done.
//
// # Analyzer cleanupctx
//
// cleanupctx: report cleanup given a context that is already done
//
// Cleanup must still run when a timeout fires: Python's asyncio teaches to
// catch the cancellation, clean up, and re-raise. In Go the cleanup call
// usually takes a context too, and handing it the very context that was just
// cancelled makes it fail at once: (*http.Server).Shutdown with an expired
// context returns immediately and cuts every open connection instead of
// draining them.
//
//	// WRONG
//	<-ctx.Done()
//	srv.Shutdown(ctx) // returns at once: ctx is done
//
//	// WRONG: a context derived from a done context is done too
//	<-ctx.Done()
//	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
//	defer cancel()
//	srv.Shutdown(sctx)
//
//	// RIGHT: keep the values, drop the cancellation, give cleanup its own budget
//	<-ctx.Done()
//	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
//	defer cancel()
//	srv.Shutdown(sctx)
//
// cleanupctx reports a cleanup call — a method named Shutdown, Close,
// Disconnect, Rollback, Stop or Drain whose first parameter is a context —
// whose context is known to be done where it runs: the call is dominated by a
// receive from that context's Done() (a plain `<-ctx.Done()` or the
// `case <-ctx.Done():` of a select), directly or through contexts derived from
// it. It also reports `defer x.Shutdown(ctx)` with the function's own context:
// when the function returns because ctx is done, the shutdown gets no time.
//
// Not reported: contexts derived with context.WithoutCancel or from
// context.Background(); deferred Close and Rollback (pgx documents
// `defer tx.Rollback(ctx)`: a cancelled rollback closes the connection, which
// rolls back too); cleanup on paths where ctx is not known to be done.
//
// There is no suggested fix: how long cleanup may take is a decision, not a
// mechanical edit.
package cleanupctx
