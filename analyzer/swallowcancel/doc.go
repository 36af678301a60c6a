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
// An error "may be a cancellation" when, on the path that reaches the use
// (SSA, not the textually last assignment), it comes from ctx.Err() or
// context.Cause(ctx); from a wait of the sink catalog given a context that
// can be cancelled (inherited from the caller or derived from one: not
// Background, TODO, WithoutCancel or an http.NewRequest); or from a function
// whose summary says its error result carries the cancellation of a context
// parameter (a fact, across packages; the union of the implementations for
// an interface method), given such a context. A test that finds the context
// not done between the call and the use rules it out. Errors of cleanup calls
// (the cleanup table: Shutdown's deadline is the grace period running out)
// and of calls that take a context but never wait never count. An error
// tested with errors.Is or == against context.Canceled or
// context.DeadlineExceeded is one by definition.
//
// swallowcancel reports:
//
//   - where an error is known to be context.Canceled or DeadlineExceeded
//     (errors.Is or ==, alone, or-ed with each other, or and-ed with
//     anything): returning nil, returning a new error or a sentinel
//     (io.ErrUnexpectedEOF) in its place, continuing the loop, or breaking out
//     of it straight into return nil;
//   - there, an assignment of nil or another error to the error's
//     variable (err = nil, err = ErrAborted, err = prevErr) when the
//     variable then reaches a return as it is or wrapped with %w (icinga's
//     WithBackoff);
//   - where a context the function did not make is known to be done
//     (`case <-ctx.Done():`, `<-ctx.Done()`, `if ctx.Err() != nil`, `if
//     context.Cause(ctx) != nil`): returning nil, an errors.Join of the errors
//     seen so far (nil when there were none), or a new error. A function
//     whose only result is an error may return nil there when it is code
//     that runs until cancelled, told apart by flow: the package uses it as a
//     value (started with go, handed to a runner, stored), it learned of the
//     cancellation by waiting for it (a receive from Done, a select without
//     default, a pause helper), or the done point is in an endless for {}
//     loop — unless the loop around it polls or retries (it pauses, makes
//     a call that waits with a context or a function value handed one,
//     and can also leave with nil on success: grpc-middleware's retry
//     interceptor). A context is also known done where a call failed that
//     fails only once that context is done (a pause helper: the
//     FailsOnlyOnDone summary, a fact). A function
//     that returns a result next to the error (a partial sum, a page of rows)
//     and pairs it with nil when cancelled is reported however it learned;
//   - there, an earlier call's error that a test on the way found nil,
//     itself or through wrappers that return nil for nil (pkg/errors.Wrap
//     and kin, a helper of the package that begins with `if err == nil {
//     return nil }` or returns only nil or its error parameter): the
//     return is nil on that path (prysm's isDataAvailable); the author
//     wrote an error there, so the run-until-cancelled exemption does not
//     apply;
//   - once any context is known done, the Err() or Cause of another
//     context, not made from the done one nor known done: nil while that
//     context lives (go-ethlibs' transport returned the caller's ctx.Err()
//     when its own t.ctx was done);
//   - once a budget derived from the caller's context parameter is done,
//     a fresh error in its place (also through a helper that only wraps
//     its argument): the caller's cancellation comes back as the
//     function's own failure (ydb's cluster.Get); a function that looks at
//     the caller's context itself is left alone;
//   - the last attempt's error returned in place of the cancellation: a
//     loop that calls something, pauses (a select without default, or a
//     receive) and, when the context is done in the pause, returns the
//     error of that earlier call, which a test found non-nil, without
//     wrapping ctx.Err(): errors.Is(err, context.Canceled) is false, so the
//     caller takes the abandoned work for a failure (cenkalti/backoff's
//     RetryNotify). Here the context may also be one handed over inside a
//     value the caller passed (cb.Context() of a BackOff parameter). So
//     does a function literal that returns the error it was handed (a
//     retry notifier's argument) once a context it captured is done
//     (pachyderm's RetryUntilCancel);
//   - an error that may be a cancellation returned by a function literal
//     (or a function of the package) handed to a retry helper that cannot
//     learn of a cancellation: the helper calls that parameter in a loop,
//     goes round again after a failure, and nothing in the loop looks at a
//     context, receives from a channel, or hands the error to another
//     function value (a summary fact, Retries, followed through helpers
//     that pass the function on). Once the context is done every attempt
//     fails at once and is retried until the helper's own limit (axiom-go's
//     client retried a cancelled request for ten seconds). A return that a
//     cancellation test found to be something else is not reported: that
//     test is where the function stops the retries (backoff.Permanent). A
//     helper in another package is known when that package can reach a
//     wait (it exports facts only then). A helper may also go round while
//     the function's first result, a bool, is true (rclone's pacer): a
//     return of false is no retry (of true, when the helper's loop ends on
//     true: release-manager's try.Do, the StopsOnTrue summary), nor is a
//     return reached only where a test found the context live (ctx.Err() ==
//     nil, or a predicate of the package such as fserrors.ContextError).
//     Here a command of exec.CommandContext counts as failing once its
//     context is done (its error is "signal: killed", so no other check
//     counts it);
//   - retry-on-cancel: a loop that repeats the same call (its arguments do
//     not change from one round to the next), goes round again after a
//     failure that may be a cancellation, cannot end on a failure (no return
//     of an error, no bound, counter or break a failure can take, no panic or
//     exit), and consults no context (Done, Err, Cause, a cancellation test,
//     another call given the same context, except in a loop with no way out
//     at all, where such a call cannot stop it: indigo's resync worker):
//     once the context is done it
//     never ends; and the same loop bounded by a counter when it pauses
//     between attempts (a time.Sleep of 200 ms or more on the failure path)
//     for 10 s or more in all, or an unknown total (harness' pingDatabase;
//     a request http.NewRequest builds anew each round from the same inputs
//     is the same call, and an Errorf wrapping another call's error is no
//     exit a failed attempt can take: constellation's WaitForCilium);
//   - a bounded retry of the same call, or a failover over targets, that
//     drops each failure unread (only compared with nil, or handed to
//     another package's function returning nothing: log.Printf), consults
//     no context, and then returns a fresh error (errors.New, a sentinel,
//     Errorf without %w) for a caller's cancellation (speedtest-go's
//     HTTPPing returned ErrConnectTimeout; dendrite's lookupEvent);
//   - the same retry-on-cancel when the loop's tests are not err != nil:
//     one round is played from the attempt on, assuming it failed with its
//     context's error and returned zero values beside it; tests decide by
//     that where they can (err != nil, errors.Is with another package
//     variable, a field of a zero result against a constant, resp == nil),
//     and a test of the error not evaluated (a predicate, errors.As) may
//     stop the round. Reported when every way back leads to the attempt
//     (matrixone's waitHAKeeperRunning) or some way back passes a
//     noticeable pause nothing on it can cut short (clink's Do, restful's
//     Do);
//   - a retry loop whose only exit on a failure is a test for
//     context.DeadlineExceeded while the attempt's context carries the
//     caller's cancellation (its own timeout derived from the caller's):
//     once the caller cancels, Canceled goes round forever (flyctl);
//   - its mirror: a retry loop that stops when a predicate of the package
//     that sorts errors finds the attempt's error to be context.Canceled
//     and never tests for DeadlineExceeded, and otherwise pauses noticeably
//     and goes round, the attempt given the caller's own context: once the
//     caller's deadline passes, it sleeps through its remaining attempts
//     (renterd's abortRetry); an inline Canceled test is left alone (often
//     the fix its author wrote: harness);
//   - a retry loop that goes round when a predicate of the package finds
//     the attempt's error to be DeadlineExceeded (isTimeout) and leaves
//     only on its other side, the attempt given the caller's context and
//     nothing else looking at one: once the caller's deadline passes, it
//     never ends (chain's WaitRead);
//   - a failover loop that, when an attempt fails with what may be the
//     caller's cancellation, blames the target it picked for that round (a
//     node, a client) through a function of the package that changes state
//     (marks it unhealthy, drops it from the pool) and goes on to the next,
//     with nothing in the loop looking at a context or testing for a
//     cancellation: once the caller gives up every target is blamed
//     (typesense-go, rpcx);
//   - an empty `case <-ctx.Done():` (or one holding only an unlabelled
//     break, which leaves the select, not the loop: p2's CommitWithRetries)
//     in a loop that does not otherwise look at the context: the loop spins
//     once the context is done; and `for range
//     ctx.Done()`, whose body never runs (Done is closed, never sent on);
//     also a case with statements that cannot end the loop (it stores and
//     starts nothing, changes no variable the loop carries, and the loop's
//     only ways out are the success of a call given the same context:
//     lightninglabs/loop's SweepHtlcTimeoutAction logged and went round);
//   - a call of a function that returns nothing and gives up silently once
//     its context is done (a summary fact, SilentOnDone: restic's
//     FutureBlob.Wait), when the caller then returns a nil error with
//     something that call was to produce (its receiver or an argument, a
//     field of one or a method's result on one, read afterwards) and never
//     looks at the context again;
//   - result rows iterated with Next and never asked Err (an iterator known
//     by its methods, Next() bool and Err() error), when they come from a
//     call given a context: Next is false at the end of the rows and also
//     when the query fails midway, a cancellation included (gorm's Scan);
//   - the cancellation hidden from errors.Is: fmt.Errorf formatting such an
//     error (err or err.Error()) with %v or %s where the result is passed on
//     (returned, sent, stored, appended, joined); `if err != nil { return
//     errors.New(…) }`, an Errorf that drops err, a constructor of the
//     package handing its format and arguments to fmt.Errorf called with no
//     arguments, or a literal of an error type with no Unwrap, Is or As
//     method; a deferred function that sets the function's error result to
//     such a fresh error once the caller's context is done (storj's ecclient
//     put); an Errorf whose %w wraps only an
//     errors.New copy of the message (go-telegram/bot); any argument of an
//     error constructor of the package that hands its format and arguments
//     to fmt.Sprintf (zeebo/errs' Class.New: storj); the error may come from
//     a method of the same receiver that returns the cancellation of a
//     context kept in a receiver field (gosnmp's netConnect);
//   - an error that may be a cancellation handed to an error converter of
//     the same package (an error parameter, an error result) that returns,
//     on some path where the error is not known to be something else (no
//     cancellation test answered "no", no errors.Is/As found a particular
//     error, no test of what a classifier of the package that tests both
//     Canceled and DeadlineExceeded made of it: fabric's toRpcError), a new
//     error in its place (errors.New, an Errorf without %w, a
//     sentinel, a literal with no Unwrap, or a constructor of the package
//     that returns one), when the caller passes the result on: etcd's
//     togRPCError turned context.Canceled into an Unknown status this way;
//   - a goroutine or callback (a function literal started with go or passed
//     to a call, with no results) that reports its errors (sends them on a
//     channel or stores them where its starter reads them) but drops one that
//     may be a cancellation: that error had no other way back;
//   - a goroutine that closes its channel of errors and, once its context is
//     done, returns without sending the cancellation on it: the reader sees a
//     stream that ended cleanly;
//   - the same done points reached by a test that breaks out of a loop
//     straight to the code after it (`if ctx.Err() != nil { break }`, then
//     `return nil`): on that path the rest of the items were abandoned;
//   - a completion call given a nil error there (oxia's cb.OnComplete(nil)
//     after such a break), when the function gives the same call, on the
//     same receiver, a real error elsewhere: it is how the function reports
//     its outcome;
//   - a new message (errors.New, an Errorf without %w) handed, once a
//     context the function did not make is done, to a function of the
//     package that reports it (sends it on a channel or stores it in a
//     field, itself or through up to three calls of the package) in place
//     of the cancellation (flux's executionState.do); a sentinel or an
//     error type handed over there is often the object's own "closed"
//     status and is left alone;
//   - a range over the channel a function returns when that channel is
//     closed without a word once the context it is given is done (a
//     summary fact, EndsOnDone: minio-go's ListObjects), when the ranging
//     function then returns a nil error without looking at that context
//     again (thanos' objstore Iter);
//   - a cancellation let through to the success path: `if err != nil &&
//     !errors.Is(err, context.Canceled) { …; return }` where the error branch
//     leaves and the cancelled call joins the path a nil error takes, which
//     uses the call's other results (watermill's handleMessage); not when a
//     test between the call and the cancellation test found a context of the
//     function live (the callee's own budget ran out).
//
// Not reported: return nil where the cancellation was first stored (or
// wrapped with %w) in a captured variable, field or package variable — the
// nil stops a runner and the error goes back through the variable (bbgo's
// stopOnErr); contexts the function owns (it made them cancellable with
// WithCancel, WithTimeout, WithDeadline, their Cause forms,
// signal.NotifyContext or errgroup.WithContext, so the cancellation is its
// own to absorb; function literals inside it too — but owning the
// cancellation is not owning a deadline: a function handed a context that
// sets no deadline and returns nil where an error of unknown origin is
// Canceled or DeadlineExceeded is reported, smithy's runner); a
// cancellation from a
// function of the package given no context where none is in scope (the
// callee's own budget, reported on purpose: nomad's rotateVariables); package main (a command
// ending on Ctrl-C; only its loops that go on after a cancellation are
// judged there); errors of cleanup calls; conditions that also accept a
// non-cancellation error (http.ErrServerClosed, io.EOF); functions with an
// http.ResponseWriter in scope (a client that went away is the server's to
// answer, often with a 499); the run-until-cancelled functions described
// above; code that logs the error and returns it (an Errorf handed to a
// logger is not a replacement); loops whose call changes each round (a loop
// over items: continue skips, it does not retry) and loops bounded by a
// counter or a failure exit; goroutines that report no error at all;
// functions with no error result (for the return checks); test and generated
// files. A deliberate "cancellation is success" is documented with
// //deadlinelint:ignore swallowcancel reason (or //nolint:swallowcancel under
// golangci-lint).
//
// Suggested fixes: `return nil` becomes `return err` (the tested error),
// `return ctx.Err()`, or `return context.Cause(ctx)` when the function asks
// for the cause; `continue` after a cancellation test becomes
// `return …, err`; %v and %s become %w (and err.Error() becomes err).
//
// Flags: -swallowcancel.wrap-all also counts errors from any call given a
// context (not only waits and functions whose summary says so), in every
// check.
package swallowcancel
