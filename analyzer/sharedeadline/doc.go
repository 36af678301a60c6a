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
//   - ctx = context.WithTimeout(ctx, d) (or WithCancel, WithValue) re-wrapped
//     on every iteration of a loop: budgets chain and values pile up;
//   - a per-attempt WithTimeout inside an endless retry loop (`for {}`) whose
//     parent has no deadline: attempts × budget is unbounded;
//   - conn.SetDeadline/SetReadDeadline/SetWriteDeadline(time.Now().Add(d)) on
//     a connection dialed in a function that received a context and never
//     consults ctx.Deadline() or ctx.Done(): the connection's budget ignores
//     the caller's (accepted server connections set their own budgets);
//   - with -sharedeadline.sequential: sequential stages each given the full
//     constant budget from the same parent.
//
// Not reported: deliberately detached work (a fresh context inside a
// goroutine or a deferred function, context.WithoutCancel(ctx) with its own
// timeout, cleanup after <-ctx.Done()); loops whose parent context already has
// a deadline or whose loop condition bounds the attempts; budgets read from
// configuration (not constants) for the comparison of budgets; test and
// generated files.
package sharedeadline
