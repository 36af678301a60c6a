// Package uncancellablewait defines an Analyzer that reports waits that
// ignore a context in scope.
//
// # Analyzer uncancellablewait
//
// uncancellablewait: report sleeps that ignore the context in scope
//
// A function that takes a context promises to stop when it is cancelled. A
// time.Sleep inside it does not: the sleep runs to its end whatever happens
// to the context, so cancellation and deadlines are delayed by the whole
// sleep, and a polling loop that never looks at the context spins until its
// condition holds, cancelled or not (flake8-async's ASYNC110 and ASYNC251 in
// Python).
//
//	// WRONG
//	func poll(ctx context.Context) error {
//		for !ready() {
//			time.Sleep(time.Second)
//		}
//		return nil
//	}
//
//	// RIGHT
//	func poll(ctx context.Context) error {
//		for !ready() {
//			select {
//			case <-ctx.Done():
//				return ctx.Err()
//			case <-time.After(time.Second):
//			}
//		}
//		return nil
//	}
//
// A call of a func parameter that every call of the package fills with
// time.Sleep (directly, or through a parameter of the caller's that is
// filled so; unexported functions never used as values) is that sleep
// (goreleaser's rateLimitChecker and its sleepFn); so is a call through a
// package-private func field filled with time.Sleep and otherwise only
// with parameters, an option's or a hook's (tdarr-exporter's t.sleep; no
// rewrite offered: it would drop the hook).
//
// uncancellablewait reports time.Sleep in a function with a caller-owned
// context in scope (a context parameter of it or of an enclosing function,
// or r.Context() of a request parameter) when the sleep is long (a constant
// of one second or more, or a duration computed at run time, such as a
// backoff) or when it sits in a loop that can go round without consulting
// a context (no ctx.Err(), no ctx.Done(), no call given a context on that
// way round: a check on one branch only, as temporal's ReserveSlot made
// while throttling, leaves the other rounds deaf to it).
//
// The suggested fix replaces the statement with a select on ctx.Done() and
// time.After(d) that returns ctx.Err() (with zero values for the other
// results) when the function returns an error, or returns when it returns
// nothing.
//
// A constant pause of 200 ms or more in a loop that checks the context on
// every round is reported too: cancellation still waits for the pause
// (tailscale's ConnectContext retry was fixed upstream).
//
// With no caller-owned context in scope, a sleep of 200 ms or more (or a
// computed one) in a loop that itself checks a context's Done or Err (one
// the function made with a deadline, or one reached through a value, such
// as resty's resp.Request.ctx) is reported: it ignores the context the
// loop watches (moby's 500 ms daemon poll under a 60 s context). So is one
// in a loop that hands a context kept in a field of a parameter or
// receiver (not one the package only fills with Background) to a call
// that waits with it: the loop works under that context (wal-g's
// MongodService retried $backupCursor minutes apart under s.Context).
//
// A call, where a caller-owned context is in scope, of a function of the
// package that takes no context and sleeps with time.Sleep (or of a method
// of an interface of the package one of whose implementations there does:
// client-go's BackoffManager.Sleep) is reported at the call; a duration the
// caller passes is judged like a direct sleep's.
//
// Not reported: short constant sleeps (under a second) outside loops, and
// under 200 ms in loops that consult the context on every way round;
// functions without a caller-owned context, unless the loop checks one;
// test files; generated files. Selects without a ctx.Done() case,
// sync.WaitGroup.Wait and sync.Cond.Wait are not judged: whether another
// channel already stands for cancellation is a design decision the analysis
// cannot see.
package uncancellablewait
