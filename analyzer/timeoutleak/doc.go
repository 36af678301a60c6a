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
// starts a goroutine sending on it with a plain send, and (2) waits for it in
// a select, outside any loop, whose other case is a timeout (time.After, a
// timer's or ticker's C, a context's Done()). The fix adds the buffer.
//
// Not reported: buffered channels; goroutines that send inside a select
// (they can give up too); functions that receive from the channel again
// (draining it after the timeout); selects in loops (the next iteration may
// still receive); channels passed in from elsewhere.
package timeoutleak
