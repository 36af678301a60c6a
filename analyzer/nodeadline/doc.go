// Package nodeadline defines an Analyzer that reports calls which wait on the
// network or a database with no deadline.
//
// # Analyzer nodeadline
//
// nodeadline: report network and database calls without a deadline
//
// A timeout is a contract: "I will wait this long, and no longer". A call to
// a server, a database or an RPC peer that has no deadline waits as long as
// the peer does: one stalled dependency then holds a goroutine, a connection
// and whatever is waiting on them, forever.
//
// nodeadline reports such a call when what governs it is known to be
// unbounded: the call takes no context at all ((*sql.DB).Query, http.Get,
// net.Dial), or its context comes from context.Background(), context.TODO()
// or context.WithoutCancel (possibly through WithCancel or WithValue), or an
// *http.Request built by http.NewRequest is sent by a client without Timeout.
// A context the function received (a parameter, a receiver field, a closure
// capture of one, r.Context() in a handler) is its caller's responsibility:
// the caller is judged at its own call site, across packages, through facts.
// The exception is an unexported field that every store in the package sets
// to context.Background() or TODO() (a constructor's `ctx: context.TODO()`):
// nobody can cancel it or give it a deadline. So is a kept field filled by
// context.WithCancel of such a context whose kept cancel function the
// package calls only after the wait, in the same function, on the same
// object (category cancelled-after; go-sdk's connection Close sent its
// DELETE, then cancelled). A root made where a caller's
// context is in scope (a ctx parameter, r.Context()) drops that context:
// sharedeadline reports that; unless something known bounds the wait (a
// client with Timeout, the system's DNS timeouts), this rule reports it
// too, for the context carries no deadline (a server's r.Context() carries
// none either, so passing it cancels the wait but does not bound it); with
// the bound unknown the message says only the client may bound it. So is
// a call, where a caller's context is in scope, of a helper that takes no
// context and sends a request built with http.NewRequest through a client
// configured elsewhere (pganalyze's GetDefaultGrant); a helper's explicit
// Background()/TODO() is sharedeadline's only. One
// root that reaches several
// waits of a function (BeginTx, then each tx.ExecContext) is one missing
// deadline: reported once, at the first wait, the others as related
// information. A context-free statement on a transaction (tx.Exec) is
// judged by the context its BeginTx was given, which governs the
// transaction; the statements of a transaction from Begin() are reported
// with that Begin, once.
//
// Also reported: a call of an API's context-free form whose wait nothing
// bounds (sqlx.Connect, which pings without a context, beside
// ConnectContext), at the call and not inside the form, with the rewrite to
// the context form — except a method the package hands to another package
// behind that package's interface when the interface's package has no
// context form of it (io.Reader's Read, crypto.Signer's Sign: judged
// inside); and a connection the function dials (net.DialTimeout
// too) and then reads — itself, through the standard library's readers,
// through the package's helpers, or at every load of a field only the
// package can reach where it keeps the connection, or in the callers a
// helper returns it to — with no deadline set on the way (a write deadline
// bounds writes only): the dial's timeout covers only connecting; and a listener
// wrapper's Accept that reads the connection it accepts, with no deadline,
// before returning it (one silent client blocks the server's accept loop);
// and an HTTP server that reads requests with no deadline: http.ListenAndServe
// and its siblings (a zero http.Server), or an http.Server the package builds
// with neither ReadHeaderTimeout nor ReadTimeout; and a connection a server
// accepts and reads, in the accepting function or the goroutine, closure or
// helper it is handed to, with no deadline set anywhere on the way (one
// client that sends nothing holds a goroutine and a socket forever), unless
// it is only relayed (io.Copy), handed to another package, or closed by an
// idle reaper — except a read the accept loop makes itself (or through a
// helper it calls) before any such use: that read blocks every later
// connection (nebula's SSH handshake). A dialed connection the search cannot follow everywhere is
// still judged when its first read comes before every such use (a
// handshake that reads it, then wraps it or hands it back). Handed over as
// an io.Writer it is only written to; a read in the loop of a reader
// goroutine (started only with go) is its lifetime, not an answer, and a
// close in a one-shot timeout case is a watchdog: both make it silent.
// And a write to a connection in a local, after a SetReadDeadline on the
// same path that the function never clears, in a package that never sets
// a write deadline: a peer that stops reading blocks the write once the
// send buffer fills (fortio's Fetch; fix: SetDeadline in place of
// SetReadDeadline). Connections in fields are not judged (measured noisy).
//
//	// WRONG
//	func load(db *sql.DB, id int) error {
//		_, err := db.Query("SELECT name FROM users WHERE id = $1", id)
//		return err
//	}
//
//	// RIGHT
//	func load(ctx context.Context, db *sql.DB, id int) error {
//		_, err := db.QueryContext(ctx, "SELECT name FROM users WHERE id = $1", id)
//		return err
//	}
//
// Not reported: contexts bounded by WithTimeout or WithDeadline on every
// path; clients with Timeout and dialers with Timeout or Deadline;
// database/sql handles that sql.Open made, on every path, for a driver that
// bounds every wait itself (clickhouse: read and write deadlines on every
// connection; sqlite3, sqlite: a local file; ql: embedded), and only where
// a caller's context is dropped when such a handle may also come from a
// caller, or comes from one in a package that opens only such databases;
// go-redis commands (the client puts read and write deadlines from its
// options on every command, and by default ignores the context's); clients
// and dialers built where the analysis cannot see, or with a Timeout from
// configuration — a client parameter kept in a field counts as built by
// the package when one of the package's own calls (not its tests) passes a
// client without a timeout (go-ethereum's DialHTTP): that default is
// unbounded; roots made where a caller's context is in scope
// (sharedeadline's); signal.NotifyContext contexts (the user is the
// deadline); test files unless -nodeadline.tests; generated files.
//
// Suggested fixes thread a caller-owned context that is in scope: Query
// becomes QueryContext(ctx, …), http.NewRequest becomes
// http.NewRequestWithContext(ctx, …), context.Background() becomes ctx. No
// fix ever inserts context.TODO(): that only moves the bug.
package nodeadline
