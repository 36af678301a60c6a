// Package cleanupctx defines an Analyzer that reports cleanup calls given a
// context that is already done.
//
// # Analyzer cleanupctx
//
// cleanupctx: report waits and cleanup given an already-done context
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
// cleanupctx reports these shapes. Which calls wait or clean up is decided by
// the shared core, never by method names: a wait of the sink catalog, a
// cleanup of the cleanup table ((*http.Server).Shutdown, mongo's
// Disconnect, pgx's Close and Rollback, and the context-taking cleanup
// methods of the client libraries the catalog describes by shape), a
// function whose summary (a fact, across packages) says its context
// parameter reaches one, an interface method a catalog type satisfies, or
// a function literal whose captured context does.
//
//   - Any such call given a context known to be done where it runs: the call
//     is dominated by a receive from that context's Done() (a plain
//     `<-ctx.Done()`, the `case <-ctx.Done():` of a select, a `for range
//     ctx.Done()`), or by a test that ctx.Err() is not nil, or by a test
//     that found an error of a call given it to be context.Canceled or
//     DeadlineExceeded, directly or through contexts derived from it,
//     including a context a closure captured; here a function that only
//     returns that context's cancellation counts too (argo's emissary
//     waited again, with the expired context, for containers it had just
//     killed).
//   - A cleanup, or a call handed the failure itself (a rollback), given
//     ctx after a test asked whether that failure of a call given ctx was
//     its cancellation, reached from the side where the test holds
//     (maestro's worker handed the error and the cancelled operation
//     context to OnError).
//   - A deferred wait or cleanup given ctx in a function that returns once
//     ctx is known done: that return runs the deferred call with a done
//     context.
//   - A deferred wait or cleanup given a context derived from the timeout
//     the function set for its own work (`ctx, cancel :=
//     context.WithTimeout(parent, d); defer srv.Shutdown(ctx)`): when the
//     work runs out of time, cleanup gets none.
//   - A deferred wait or cleanup (directly, or in a deferred function
//     literal such as cleanup on the error path) given the function's own
//     context parameter, or a context derived from it: when the function
//     returns because ctx is done, the deferred call gets no time (a
//     temporary resource leaks, a lock stays held).
//
// The fifth: a call given a context after that context's own cancel
// function was called on every path to it (rocketmq's completion callback
// called cancel() and then the user's handler with the context); waits,
// cleanups and calls of function values (a callback handed a context is
// handed it to use) count, reading ctx.Err() does not. The same for a wait
// in an HTTP handler literal (it takes an *http.Request) that the enclosing
// function registers and that uses a budget (WithTimeout, WithDeadline)
// that function made once and cancels with defer cancel(): the handler
// runs on each request, on a done context (hatchet's health probes). And a
// wait given an object's kept context (a field, or a method of the package
// returning it) after the function called the object's kept cancel
// function (its pair, stored from the same WithCancel), itself or through
// a method (receptor's KubeUnit.Cancel: CancelContext(), then a pod
// deletion with GetContext()), or through a method called on the same
// object that waits on the kept context itself or through the methods it
// calls on its receiver, up to 4 deep (litestream's DB.Close: db.cancel(),
// then db.Sync(ctx) down to tx.ExecContext(db.ctx, …)); a store of a new
// context on the way makes it silent.
//
// And a budget derived (WithTimeout, WithDeadline) from a context known to
// be done where it is derived, when the new context leaves that branch
// through a join and reaches a wait or cleanup there (flyctl's "extra
// second" for the final release update, made in the canceled case of a
// switch): it is done at once. The fix, suggested, derives it from
// context.WithoutCancel(ctx).
//
// And a wait in a function literal registered with testing's Cleanup
// that uses a context cancelled before cleanups run: one whose cancel the
// registering function defers, the test's own t.Context(), or one derived
// from either (gateway-api's MustApplyWithCleanup). This one check runs in
// tests and packages of test support, where such literals live.
//
// And a goroutine an HTTP handler starts and does not wait for, handed the
// request's context (r.Context() of the request it serves, or the context
// parameter of a function that also takes an http.ResponseWriter and an
// *http.Request) to wait with: the server cancels that context when the
// handler returns (ssi-service's webhook middleware). A receive, select or
// WaitGroup wait after the go statement, or a channel or WaitGroup given
// to the goroutine, counts as waiting for it.
//
// Not reported: contexts derived with context.WithoutCancel or from
// context.Background() (they are not done when the caller's is); cleanups
// documented as safe with a cancelled context (pgx's `defer
// tx.Rollback(ctx)`: a cancelled rollback closes the connection, which
// rolls back too — the CancelSafe entries of the cleanup table); calls on
// paths where ctx is not known to be done; waits the function does not
// defer (only cleanup and deferred calls run when the work is abandoned);
// deferred calls given a context the object keeps (a field) rather than
// the function's own; waits whose receiver bounds them itself (a client
// with Timeout: the context adds only its cancellation there, and the
// analysis cannot tell whether the call consults it).
//
// There is no suggested fix: how long cleanup may take is a decision, not a
// mechanical edit.
package cleanupctx
