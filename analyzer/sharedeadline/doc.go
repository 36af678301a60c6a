// Package sharedeadline defines an Analyzer that reports timeouts that should
// derive from one absolute deadline but do not.
//
// # Analyzer sharedeadline
//
// sharedeadline: report timeouts that ignore the caller's deadline
//
// Python's asyncio.timeout_at(deadline) exists so that "step one and step two
// combined must finish by the deadline". In Go the same contract is a context
// derived from the caller's: every stage sees the earlier of its own budget
// and the caller's deadline. Code breaks it by starting fresh budgets.
//
//	// WRONG: the caller's deadline and cancellation are gone
//	func (s *Store) Load(ctx context.Context) error {
//		qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//		defer cancel()
//		return s.query(qctx)
//	}
//
//	// RIGHT: five seconds at most, and never past the caller's deadline
//	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//
// sharedeadline reports:
//
//   - context.WithTimeout/WithDeadline(context.Background() or TODO(), …)
//     while a context the function received is in scope (fix: derive from it);
//   - an inner timeout whose constant budget is at least its parent's constant
//     budget: it can never fire, and the code reads as if it could;
//   - ctx = context.WithTimeout(ctx, d) (or WithCancel, or WithValue with the
//     same key) re-wrapped on every iteration of a loop: budgets chain and
//     values pile up;
//   - a per-attempt WithTimeout inside a retry loop (`for {}` that exits on
//     success, or `for err != nil`) with no attempt counter, clock check, stop
//     channel or retry helper, whose parent has no deadline: attempts × budget
//     is unbounded;
//   - conn.SetDeadline/SetReadDeadline/SetWriteDeadline(time.Now().Add(d)) on
//     a connection dialed in a function that received a context and never
//     consults ctx.Deadline() or ctx.Done() (fix: use the earlier of the two);
//   - with -sharedeadline.sequential: sequential stages each given a full
//     constant budget from the same parent (the message gives the sum).
//
// Not reported: deliberately detached work — a fresh context inside a
// goroutine, a deferred, returned or handed-off closure (errgroup.Go,
// context.AfterFunc), handed to a go statement or sent on a channel, kept in a
// field, given to a cleanup call (Shutdown, Close, Unlock, Rollback, …),
// created after the caller's context ended (<-ctx.Done(), case <-ctx.Done(),
// if ctx.Err() != nil, errors.Is(err, context.Canceled)), or derived from
// context.WithoutCancel(ctx); functions with no received context (main and
// background jobs); loops whose parent context already has a deadline or is
// the caller's, loops bounded by a counter, the clock, a stop channel or a
// retry helper, periodic workers that never exit on success, range loops, and
// retry loops in main, init or goroutines; WithValue in a loop with a
// different key each round; budgets read from configuration (not constants)
// for the comparison of budgets; connections accepted rather than dialed, or
// handed with the context to a helper that may watch it; test and generated
// files.
package sharedeadline
