// Package swallowcancel defines an Analyzer that reports cancellation errors
// turned into success, retried, replaced or dropped.
//
// # Analyzer swallowcancel
//
// swallowcancel: report cancellation errors that are swallowed
//
// "Never swallow CancelledError" is the first rule of Python's asyncio
// timeouts: code that catches the cancellation for cleanup must re-raise it,
// or the timeout mechanism breaks. Go's equivalent is context.Canceled and
// context.DeadlineExceeded. A function that turns them into nil tells its
// caller the work succeeded when it was abandoned; a loop that retries after
// one defeats the caller's deadline; an error that formats the cancellation
// with %v instead of wrapping it with %w hides it from errors.Is upstream.
//
//	// WRONG
//	if errors.Is(err, context.Canceled) {
//		return nil
//	}
//
//	// RIGHT
//	if errors.Is(err, context.Canceled) {
//		return err // or ctx.Err(), after cleanup
//	}
//
// An error "may be a cancellation" when its last assignment before the use
// is from ctx.Err() or context.Cause(ctx); from a network or database call
// of the sink catalog given a context that can be cancelled (one inherited
// from the caller or derived from one: not Background, TODO, WithoutCancel
// or an http.NewRequest); or from a call to a function whose context
// parameter reaches such a call (the core's ReachesSink summary), given such
// a context. A ctx.Err() check between that call and the use rules it out.
// Errors from Shutdown, Close or Stop calls, from calls that take a context
// but never wait (http.NewRequestWithContext), and from interface or dynamic
// calls without a summary never count. An error tested with errors.Is or ==
// against context.Canceled or context.DeadlineExceeded is one by definition.
//
// swallowcancel reports, in a function whose last result is an error:
//
//   - an if or switch that tests an error for context.Canceled or
//     context.DeadlineExceeded (errors.Is or ==, alone, or-ed with each
//     other, or and-ed with anything) and then returns nil, returns a new
//     error in its place, continues the loop, or breaks out of it straight
//     into return nil;
//   - `return nil` right after learning that a context the function received
//     is done: in `case <-ctx.Done():`, under `if ctx.Err() != nil` or
//     `if context.Cause(ctx) != nil`, under `if err := ctx.Err(); err != nil`,
//     or after a `<-ctx.Done()` statement (in a declared function);
//   - retry-on-cancel: an endless `for {}` loop that, after an error that may
//     be a cancellation, continues or sleeps (time.Sleep) and goes round
//     again, when nothing in the loop looks at the context (ctx.Done(),
//     ctx.Err(), context.Cause, a cancellation sentinel) and the loop cannot
//     end on a failure (no return of a non-nil error, no break except on
//     success, no panic or exit): once the context is done it never ends;
//   - the cancellation replaced: fmt.Errorf formatting such an error (err or
//     err.Error()) with %v or %s where the result is passed on (returned,
//     sent, stored, appended); `if err != nil { return errors.New(…) }`, an
//     Errorf that drops err, or a literal of an error type with no Unwrap
//     method: errors.Is(err, context.Canceled) is then false upstream;
//   - a goroutine or callback (a function literal passed as an argument, with
//     no results) that reports its errors (sends them on a channel or stores
//     them where its starter reads them) but drops one that may be a
//     cancellation with `_ =` or by ignoring the result: that error had no
//     other way back.
//
// Not reported: functions that own the cancellation (they derive their own
// context with WithCancel, WithTimeout, WithDeadline, their Cause forms,
// signal.NotifyContext or errgroup.WithContext, so the cancellation is
// theirs to absorb; literals inside them too); package main (a command
// ending on Ctrl-C); shutdown paths (functions named Shutdown…, Close…,
// Stop…, and the deadline of a Shutdown, Close or Stop call); tests that also
// accept a non-cancellation error in the same condition (http.ErrServerClosed,
// io.EOF); HTTP serving code with an http.ResponseWriter in scope (a client
// that went away is the server's to answer, often with a 499); functions
// named like services (Run, Serve, Listen, Watch, Forward, Loop, Start)
// returning nil when their context is done, and `case <-ctx.Done(): return
// nil` inside an endless `for {}` loop: that is how a service reports a
// clean stop; code that logs the error and returns it (an Errorf handed to a
// logger is not a replacement); bounded loops and loops over items (a
// continue there skips, it does not retry); fire-and-forget goroutines that
// report no error at all, and deferred calls in goroutines; functions with no
// error result; test files and generated files. A deliberate "cancellation
// is success" is documented with //deadlinelint:ignore swallowcancel reason
// (or //nolint:swallowcancel under golangci-lint).
//
// Suggested fixes: `return nil` becomes `return err` (the tested error),
// `return ctx.Err()`, or `return context.Cause(ctx)` when the function asks
// for the cause; `continue` after a cancellation test becomes
// `return …, err`; %v and %s become %w (and err.Error() becomes err).
//
// Flags: -swallowcancel.wrap-all also counts errors from any call given a
// context (not only sinks and functions that reach one), in every check.
package swallowcancel
