// Package swallowcancel defines an Analyzer that reports cancellation errors
// turned into success, retried, or replaced.
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
// swallowcancel reports, in a function whose last result is an error:
//
//   - an if or switch that tests an error for context.Canceled or
//     context.DeadlineExceeded (errors.Is or ==) and then returns nil, or
//     continues or breaks out of a loop (retry-on-cancel; a break followed
//     directly by return nil);
//   - `return nil` right after learning that a context the function received
//     is done: in `case <-ctx.Done():`, after `<-ctx.Done()`, or in
//     `if ctx.Err() != nil`, outside service loops;
//   - `fmt.Errorf` formatting an error that may be a cancellation (it came
//     from ctx.Err(), context.Cause or a network or database call; with
//     -swallowcancel.wrap-all, from any call given a context) with %v or %s:
//     errors.Is(err, context.Canceled) is then false upstream;
//   - `if err != nil { return errors.New(…) }` (or an Errorf that does not
//     mention err) when err may be a cancellation: it is replaced, not wrapped;
//   - a goroutine that reports its errors (sends them on a channel or stores
//     them where its starter reads them) but drops one that may be a
//     cancellation with `_ =`: that error had no other way back.
//
// Not reported: functions named like services (Run, Serve, Listen, Watch,
// Forward, Loop, Start) returning nil when their context is done, which is
// how they report a clean stop; functions that own the cancellation (they
// derive their own context with WithCancel, WithTimeout, WithDeadline,
// signal.NotifyContext or errgroup.WithContext, so the cancellation is theirs
// to absorb); HTTP
// serving code with an http.ResponseWriter in scope (a client that went away
// is the server's to answer, often with a 499); package main (a command ending on
// Ctrl-C); tests that also accept a non-cancellation error in the same
// condition (graceful-shutdown idioms such as http.ErrServerClosed or io.EOF);
// `case <-ctx.Done(): return nil` inside an endless `for {}` loop (a service
// that was told to stop); functions with no error result; test files and
// generated files.
//
// Suggested fixes: `return nil` becomes `return err` (the tested error) or
// `return ctx.Err()`; %v and %s become %w.
package swallowcancel
