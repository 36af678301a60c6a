// Package timeoutleak defines an Analyzer that reports goroutines left
// blocked forever when their receiver stops waiting at a timeout.
//
// # Analyzer timeoutleak
//
// timeoutleak: report goroutines leaked when a select times out
//
// The classic way to put a timeout around a blocking call starts the call in
// a goroutine and waits for its result or the timeout, whichever comes first:
//
//	// WRONG
//	ch := make(chan result)
//	go func() { ch <- slowCall() }()
//	select {
//	case r := <-ch:
//		return r.val, r.err
//	case <-ctx.Done():
//		return nil, ctx.Err()
//	}
//
// When the timeout wins, nobody ever receives from ch, so the goroutine blocks
// forever on its send: every timeout leaks a goroutine and whatever it holds.
// A buffer of one lets the late result be dropped into the channel and the
// goroutine exit:
//
//	// RIGHT
//	ch := make(chan result, 1)
//
// timeoutleak reports an unbuffered channel made in a function that (1)
// starts a goroutine sending on it with a plain send, at most once per run,
// and (2) waits for it in a select (blocking, or polling with a default, as
// pgx's CopyFrom did) with another case (a timeout such as
// time.After, a timer's or ticker's C or a context's Done(), or any other
// channel, such as a stop channel) from which some path leaves the function,
// or goes round a loop to make the channel anew, without receiving from the
// channel. The fix adds the buffer: one slot, or, for goroutines started
// one per round of a range loop that does not make the channel anew, one
// per goroutine (make(chan T, len(urls))).
//
// The goroutine may be a function parameter started with go (go fn(ctx,
// resultCh, errCh)): the functions the package's calls pass there (a
// literal, a declared function, or the literal a function of the package
// always returns, xk6-browser's newAction) are its body.
//
// A send in a closure the goroutine defers, under `if r := recover(); r
// != nil`, runs only on a panic and does not count against "once per run"
// (oci-go-sdk's Retry sent its panic on the result channel).
//
// The same holds for a future: a function of the package that makes the
// unbuffered channel, starts one goroutine sending on it once and returns
// it, received in a caller's select with a case that leaves without it
// (go-sh's Go(f) chan error and WaitTimeout): reported at the make, once.
//
// The same goroutine is reported when some path from its go statement
// leaves the function without receiving from the channel at all (nor from
// another channel the goroutine is given, such as its error channel):
// memberlist's probeNode returned on an ack before it looked at the TCP
// fallback's channel. A `defer close(ch)` in the goroutine, and a close by
// the function on a path where it starts no goroutine, do not change that.
//
// More goroutines sending on one unbuffered channel than the function
// receives from it, one of them with a plain send, are reported at the make
// (okteto's GetDiffHash: a timer goroutine and the worker answered on one
// channel received once): the sender whose value nobody takes blocks
// forever. The fix gives a slot per sender.
//
// A function that takes a context and returns an unbuffered channel a
// goroutine it starts feeds with plain sends in a loop is reported at the send: callers
// stop reading once the context is done, and the goroutine blocks forever
// (go-memdb's WatchSet.WatchCh).
//
// Goroutines that send more than once (workers, producers: one slot is no
// fix) are reported when the case that stops waiting is the context's
// Done() and the senders can see that context: they should send in a
// select with case <-ctx.Done() (minio-go's streaming upload workers).
//
// A range over a channel that a goroutine feeds with plain sends in a loop
// is reported where it can stop early (a return in its body, or a break,
// reported at the range): the sender blocks forever on its next send
// (influxdb's FileStore.WalkKeys). The channel is one the function makes
// and feeds itself, or one a function of the package returns after starting
// its feeder; it has no buffer or a constant one. The senders may be
// goroutines started one per round of a loop, each sending once, and both
// ends may be helpers of the package: a function the goroutine hands the
// channel to that answers with a plain send, and an unexported function
// ranging over its channel parameter when every call passes it such a
// channel (prebid-server's executeGroup and collectHookResponses). Packages that start
// goroutines and range over a channel are judged even without a context.
//
// A channel with a constant buffer that a function literal sends on once
// with a plain send is reported at the make when the literal is handed to a
// runner that calls it once per piece of work (its summary's RepeatCalls:
// workqueue.ParallelizeUntil) and the function receives from the channel at
// most as many times as it has slots, after the runner returns: the sender
// past the buffer blocks forever, and the runner with it (volcano's
// taintTolerationScore).
//
// A reply channel kept in an unexported struct field, every store to which
// is an unbuffered make, is reported at the make when a select receives
// from it beside a case that leaves without it and code elsewhere answers
// it with a plain send followed by a close (sourcegraph/jsonrpc2's pending
// calls, answered by the connection's reader): a receiver that touches the
// object on its way out (removing it from a pending table) is left alone.
//
// Not reported: buffered channels (for ranges, a computed buffer size such
// as len(keys)); ranges whose channel is received anywhere else; goroutines that send inside a select
// (they can give up too), or close it from elsewhere; senders of more than
// one value whose receiver stops on anything but a context they can see; cases every path of which drains the
// channel (a receive after the timeout, or the same select again in a loop);
// cases on a channel the goroutine itself sends on or closes (its error
// channel: the goroutine has finished); receives outside the function's own
// body (a draining goroutine, a deferred receive); channels passed in from
// elsewhere or stored.
package timeoutleak
