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
//     while a context the function received is in scope (a parameter, a
//     request's, or one an interface-typed parameter carries behind a
//     method that takes nothing and returns it: a gRPC stream's Context(),
//     or in an exported Context field of a struct a parameter points to:
//     kubo's cmds.Request),
//     when the new
//     context goes to work (a wait, a function whose context reaches one, or
//     the function's result; a deferred literal that also gets it, a
//     rollback, keeps nothing alive: kata's StartVM) (fix: derive from it);
//   - the same fresh budget in a method that receives no context while
//     its receiver keeps the one it lives by (the struct's only context
//     field, which the package fills with a context that can end): the
//     wait goes on after the object is stopped (mysterium's connection
//     manager); a method that reads the field or calls a function kept in
//     a receiver field (a Stop) is left alone (fix: derive from the field);
//   - a call, from a function that holds a caller's context, to a helper
//     that takes no context and starts its own root that reaches a wait (a
//     summary, across packages; also a root started in a goroutine the
//     helper waits for; not a root that reaches only DNS lookups, which the
//     system bounds, even under a fresh budget: go-redis' endpoint
//     detection): the caller's deadline and cancellation stop there (fix,
//     for a helper of the same package: give it a context parameter and
//     pass ctx); the caller's context may be one it made for its work with
//     a stop it hands out (WithCancel whose cancel is kept, passed on or
//     called by a literal; signal.NotifyContext) and gives to its other
//     waits (nuts-node's connect loop), not a budget of its own; also a method of an interface the package declares, every
//     implementation of which in the package (at most four, unexported
//     types) starts such a root, unless the caller first
//     asks the value for a form that takes a context (infra's
//     OIDC.GetUserInfo; lib/pq's Dialer fallback is left alone); also a fresh budget the helper gives to work that stops
//     when its context is done though it waits on nothing outside
//     (osv-scalibr's rpmdb walk), not a bare root;
//   - a call, where a caller's context is in scope, of a method of the
//     package that takes no context and waits (not a dial) under the
//     context its receiver keeps in a field for its own lifecycle (every
//     store a root-made context; not one the object was opened with), or
//     one derived from it
//     (ipfs-cluster's redirectToLeader, called from AddPeer(ctx));
//   - a call of a helper of the package that takes no context and returns
//     a budget it makes from a root of its own (WithTimeout(Background(),
//     d) on every path: opentofu's getContextWithTimeout), made where a
//     caller's context is in scope or received as _, when the budget then
//     bounds a wait (fix, when every caller holds a context: thread it);
//   - a function (a literal or a declared one) that takes no context and
//     starts its own root that reaches a wait, handed to a call whose summary
//     says it calls that parameter where a context is in scope (a handler
//     built around a callback with r.Context() at hand, a loop helper given
//     ctx): the same cut, split between two functions (etcd's health check,
//     hfunc → checkAPI → WithTimeout(Background())). Not reported when the
//     caller passes that call a root itself (nothing to thread), or for a
//     literal written where a context is in scope (judged where written);
//   - context.Background() or TODO(), or the context http.NewRequest binds,
//     made where a caller's context is in scope and reaching — directly, or
//     in a request handed to a helper that sends it — a wait, bounded by
//     nothing else ("with no other deadline") or maybe by a client or dialer
//     configured elsewhere or with a Timeout from configuration: the
//     caller's deadline and cancellation stop there (nodeadline leaves such
//     roots to this rule: one call, one finding); a wait a constant Timeout
//     bounds is left alone; a helper that derives its own budget from the context it
//     is given (WithTimeout(ctx, d)) still waits under it; a wait is also a
//     blocking select, outside any loop or in one that waits for a
//     condition, of a function outside the standard library, with a case on
//     ctx.Done() beside a receive that is no timer, that returns an error
//     when the context ends (gocql's exec, quic-go's OpenStreamSync);
//   - the same, and a helper's own root, in a function that receives its
//     caller's context in a parameter named _ (cadence's visibility store):
//     the context is thrown away (no fix: the parameter needs a name);
//   - the same for a root a constructor kept in a field the package only
//     ever sets to a bare root (jaeger's SpanReader searched on s.ctx, a
//     context.Background() from NewSpanReader), once per function (fix:
//     pass ctx in its place);
//   - a declared function or method that never reads the context it
//     receives in a named parameter (one named _ is discarded on purpose)
//     and, during the call, waits under a context kept in a field of its
//     receiver (prysm's BlockHashByHeight(ctx, …) fetched with the
//     service's w.ctx) or, where it overwrites the parameter, under a root
//     or a budget made from one (celestia-node's Stop(ctx) overwrote ctx
//     with WithTimeout(Background(), StopTimeout()), so a cleanup counts
//     there too). Once per function, where no other finding of this rule
//     is (fix: pass the parameter in place of the root or the field);
//   - an API's context-free form that starts its own root, called where a
//     context is in scope: use its context form (with the rewrite);
//   - a function value that starts its own root, handed where a context is
//     in scope to a runner that calls it during the call (a SyncCalls
//     summary: singleflight's Do(key, fn)); a literal handed to such a runner
//     is judged where it is written, as work of the caller;
//   - a select that waits for an answer under a timer of its own
//     (time.After, a Timer's C) with a caller's context in scope and no
//     case on a context's Done: blocking, outside any loop, its timer case
//     ending the function in an error (wsrpc's Invoke); fix: add case
//     <-ctx.Done() returning ctx.Err();
//   - an inner timeout whose constant budget is longer than its parent's
//     constant budget: it can never fire, and the code reads as if it could
//     (an equal one is left alone: it reads as meant and changes nothing);
//   - ctx = context.WithTimeout(ctx, d) (or WithCancel, or WithValue with the
//     same key) re-wrapped on every iteration of a loop: budgets chain and
//     values pile up;
//   - a per-attempt WithTimeout inside a retry loop (every way out is taken
//     on success) whose parent has no deadline and that no counter, clock,
//     stop channel or failure exit bounds: attempts × budget is unbounded;
//   - conn.SetDeadline/SetReadDeadline/SetWriteDeadline(time.Now().Add(d)) on
//     a dialed connection in a function that received a context and never
//     consults ctx.Deadline() or ctx.Done() (fix: use the earlier of the two),
//     and the same done by a helper the connection is handed to (its summary
//     says it sets a fixed deadline on that parameter). Dialed: from a dial
//     of the catalog or net.DialTimeout, from a function of the package that
//     returns one, or from a field only the package can reach that it fills
//     only with dialed connections;
//   - a call, where a context is in scope, of a function of the package that
//     receives no context and sets such a fixed deadline on a dialed
//     connection it holds (itself or through such functions), unless a
//     watchdog of the package closes that connection when a context ends;
//   - a wait that takes no context and runs on its client's or dialer's own
//     Timeout (client.Get, dialer.Dial), made where a caller's context is in
//     scope, directly or in a helper of the package that takes none (kuma's
//     metrics hijacker): the fixed budget stands in for the caller's
//     deadline; also net.DialTimeout's timeout argument, unless computed
//     from a context's deadline (cortex's readiness probe; fix: a Dialer
//     with that Timeout, DialContext(ctx, …));
//   - a budget made and never applied: a WithTimeout whose context is only
//     asked for its Err, and only after a wait of the function that runs on
//     another context (nomad's image pull);
//   - with -sharedeadline.sequential: sequential stages each given a full
//     constant budget from the same parent (the message gives the sum).
//
// Not reported, each decided by flow: deliberately detached work — a fresh
// context in a function literal run on another schedule (started with go,
// deferred, returned, handed to a runner such as errgroup.Go or
// context.AfterFunc; but not a goroutine whose result the function waits
// for, which does its work: kafka-go's grabConnOrConnect, nor a literal
// handed to a runner together with the caller's context, tempo's
// ring.DoBatch(ctx, …, callback), nor a literal that receives a context of
// its own), handed to a go statement or sent on a channel, kept in a
// field, whose cancel function (or a derived context's) is kept in a field
// (an object's lifetime), made in a handler that hijacks its response
// writer (the request's context no longer follows the client), given to a
// cleanup (the cleanup table, or a
// function whose context reaches one), created after the caller's context is known done
// (<-ctx.Done(), case <-ctx.Done(), if ctx.Err() != nil, errors.Is(err,
// context.Canceled)), or derived from context.WithoutCancel(ctx); a fresh
// context that reaches only calls of which nothing is known; functions with
// no received context (main and background jobs); retry loops whose parent
// already has a deadline or is the caller's, loops with a counter, clock or
// failure exit, periodic workers that never leave on success, range loops,
// and retry loops in main, init or goroutines; WithValue in a loop with a
// different key each round; budgets read from configuration (not constants)
// for the comparison of budgets; connections accepted rather than dialed, or
// handed with the context to a helper that may watch it; budgets read before
// the work they bound, or waited on through Done in a pause (beside a timer)
// or by code that ends quietly when they fire (a select beside an answer
// that fails when the budget ends first is a wait: psql-wire's Shutdown);
// WithDeadline(Background(), the caller's own Deadline()), which keeps the
// budget and drops the cancellation on purpose (boulder's multiSource);
// test and generated files.
package sharedeadline
