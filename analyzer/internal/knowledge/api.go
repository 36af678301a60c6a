package knowledge

import (
	"go/constant"
	"go/types"
	"sync"
)

// A Role is what the rules know a standard (or well-known) function, method,
// variable or type to be. Everything deadlinelint recognises by identity
// rather than by flow is listed here, keyed by full name (of the generic
// origin), so that no rule compares names itself and no two tables
// disagree. The zero Role is "nothing known".
type Role uint8

const (
	NoRole Role = iota

	// Context constructors and helpers.
	CtxRoot        // context.Background, context.TODO: a fresh context with no deadline
	CtxDetach      // context.WithoutCancel: the parent's values, no cancellation, no deadline
	CtxCancel      // context.WithCancel(Cause): the parent's deadline, cancelled by the caller
	CtxValue       // context.WithValue: the parent's deadline and cancellation
	CtxTimeout     // context.WithTimeout(Cause): a deadline relative to now
	CtxDeadline    // context.WithDeadline(Cause): an absolute deadline
	CtxSignal      // signal.NotifyContext: the parent, cancelled by a signal
	CtxGroup       // errgroup.WithContext: the parent, cancelled when a member fails
	CtxCause       // context.Cause
	CtxAfterFunc   // context.AfterFunc: runs a function when the context is done
	CtxDone        // (context.Context).Done
	CtxErr         // (context.Context).Err
	CtxDeadlineOf  // (context.Context).Deadline
	CtxCanceled    // the variable context.Canceled
	CtxDeadlineErr // the variable context.DeadlineExceeded
	GroupGo        // (*errgroup.Group).Go, TryGo: runs a function joined by Wait
	OnceDo         // (*sync.Once).Do: calls its function before returning
	WaitGroupWait  // (*sync.WaitGroup).Wait
	WaitGroupDone  // (*sync.WaitGroup).Done
	WaitGroupType  // the type sync.WaitGroup: a goroutine given one can tell its starter it is done
	TestCleanup    // (*testing.common).Cleanup, (testing.TB).Cleanup: runs its function after the test and the registering call have returned
	TestContext    // (*testing.common).Context, (testing.TB).Context: cancelled just before the test's cleanups run

	// Errors.
	ErrorsIs
	ErrorsAs
	ErrorsJoin
	ErrorsNew
	ErrWrapNilSafe // github.com/pkg/errors.Wrap and its kin: nil when the error they are given is nil
	FmtErrorf
	FmtSprintf      // fmt.Sprintf: formats into a string, so %w wraps nothing
	StringsContains // strings.Contains: a test of an error's message, err.Error()
	GRPCStatusError // status.Error, status.Errorf: a gRPC status error with a code (first argument)
	GRPCCodeType    // the type codes.Code: a gRPC status code

	// Time.
	TimeSleep     // time.Sleep: a wait no context can cut short
	TimeAfter     // time.After, time.Tick: a channel that fires later
	TimeNewTimer  // time.NewTimer, time.NewTicker
	TimeNow       // time.Now
	TimeAdd       // (time.Time).Add
	TimeUntil     // time.Until
	TimeTimeType  // the type time.Time
	TimeTickerTyp // the type time.Ticker
	TimeTimerType // the type time.Timer
	TimeDuration  // the type time.Duration

	// net/http.
	HTTPNewRequest         // http.NewRequest: a request bound to context.Background
	HTTPNewRequestWithCtx  // http.NewRequestWithContext: never waits
	HTTPRequestWithContext // (*http.Request).WithContext, Clone
	HTTPRequestContext     // (*http.Request).Context
	HTTPDefaultClient      // the variable http.DefaultClient
	HTTPErrServerClosed    // the variable http.ErrServerClosed

	// database/sql.
	SQLOpen       // sql.Open: a *sql.DB through the driver registered under its first argument
	SQLRowResult  // (*sql.Row).Scan, Err: the error of the query that made the row
	SQLHandleType // the types sql.DB, sql.Conn, sql.Tx, sql.Stmt: handles on one driver's connections

	// database/sql/driver.
	DriverErrBadConn       // the variable driver.ErrBadConn: tells database/sql to retry on another connection
	HTTPRequestType        // the type http.Request
	HTTPResponseWriterType // the type http.ResponseWriter
	HTTPHijack             // (http.Hijacker).Hijack: the server lets go of the connection, and of the request's context
	HTTPClientType         // the type http.Client
	HTTPTransportType      // the type http.Transport: its ResponseHeaderTimeout bounds the wait for an answer
	DialerType             // the types net.Dialer and tls.Dialer
	NetConnType            // the interface net.Conn
	NetDialTimeout         // net.DialTimeout: a dial its timeout argument bounds (no sink), whose connection is read like any other
	NetListenerAccept      // (net.Listener).Accept, (*net.TCPListener).Accept, AcceptTCP: a connection a client opened
	NetListen              // net.Listen, (*net.ListenConfig).Listen: a listener on the network its first string names
	IORelay                // io.Copy, CopyBuffer, CopyN: bytes relayed between two peers, where an idle peer is normal
	HTTPServeZero          // http.ListenAndServe, ListenAndServeTLS, Serve, ServeTLS: a zero http.Server, no read timeouts
	HTTPServerServe        // (*http.Server).ListenAndServe, ListenAndServeTLS, Serve, ServeTLS: read timeouts are the server's
	ExecCommandContext     // exec.CommandContext: a command killed when its context is done
	ExecRun                // (*exec.Cmd).Run, Output, CombinedOutput, Start, Wait: fail once the command's context is done (Start with ctx.Err())

	// Builtin-like.
	NoReturn // never returns: os.Exit, log.Fatal…, runtime.Goexit, testing's FailNow…
)

var roles = map[string]Role{
	"context.Background":                        CtxRoot,
	"context.TODO":                              CtxRoot,
	"context.WithoutCancel":                     CtxDetach,
	"context.WithCancel":                        CtxCancel,
	"context.WithCancelCause":                   CtxCancel,
	"context.WithValue":                         CtxValue,
	"context.WithTimeout":                       CtxTimeout,
	"context.WithTimeoutCause":                  CtxTimeout,
	"context.WithDeadline":                      CtxDeadline,
	"context.WithDeadlineCause":                 CtxDeadline,
	"os/signal.NotifyContext":                   CtxSignal,
	"golang.org/x/sync/errgroup.WithContext":    CtxGroup,
	"context.Cause":                             CtxCause,
	"context.AfterFunc":                         CtxAfterFunc,
	"(context.Context).Done":                    CtxDone,
	"(context.Context).Err":                     CtxErr,
	"(context.Context).Deadline":                CtxDeadlineOf,
	"context.Canceled":                          CtxCanceled,
	"database/sql/driver.ErrBadConn":            DriverErrBadConn,
	"database/sql.Open":                         SQLOpen,
	"(*database/sql.Row).Scan":                  SQLRowResult,
	"(*database/sql.Row).Err":                   SQLRowResult,
	"database/sql.DB":                           SQLHandleType,
	"database/sql.Conn":                         SQLHandleType,
	"database/sql.Tx":                           SQLHandleType,
	"database/sql.Stmt":                         SQLHandleType,
	"context.DeadlineExceeded":                  CtxDeadlineErr,
	"(*golang.org/x/sync/errgroup.Group).Go":    GroupGo,
	"(*golang.org/x/sync/errgroup.Group).TryGo": GroupGo,
	"(*sync.Once).Do":                           OnceDo,
	"(*sync.WaitGroup).Wait":                    WaitGroupWait,
	"(*sync.WaitGroup).Done":                    WaitGroupDone,
	"sync.WaitGroup":                            WaitGroupType,

	"errors.Is":   ErrorsIs,
	"errors.As":   ErrorsAs,
	"errors.Join": ErrorsJoin,
	"errors.New":  ErrorsNew,
	"fmt.Errorf":  FmtErrorf,
	"fmt.Sprintf": FmtSprintf,

	// pkg/errors wraps with Unwrap (v0.9): errors.Is sees through it.
	"github.com/pkg/errors.Wrap":         ErrWrapNilSafe,
	"github.com/pkg/errors.Wrapf":        ErrWrapNilSafe,
	"github.com/pkg/errors.WithMessage":  ErrWrapNilSafe,
	"github.com/pkg/errors.WithMessagef": ErrWrapNilSafe,
	"github.com/pkg/errors.WithStack":    ErrWrapNilSafe,

	"strings.Contains": StringsContains,

	"google.golang.org/grpc/status.Error":  GRPCStatusError,
	"google.golang.org/grpc/status.Errorf": GRPCStatusError,
	"google.golang.org/grpc/codes.Code":    GRPCCodeType,

	"net.DialTimeout":              NetDialTimeout,
	"(net.Listener).Accept":        NetListenerAccept,
	"(*net.TCPListener).Accept":    NetListenerAccept,
	"(*net.TCPListener).AcceptTCP": NetListenerAccept,
	"net.Listen":                   NetListen,
	"(*net.ListenConfig).Listen":   NetListen,
	"io.Copy":                      IORelay,
	"io.CopyBuffer":                IORelay,
	"io.CopyN":                     IORelay,

	"time.Sleep":      TimeSleep,
	"time.After":      TimeAfter,
	"time.Tick":       TimeAfter,
	"time.NewTimer":   TimeNewTimer,
	"time.NewTicker":  TimeNewTimer,
	"time.Now":        TimeNow,
	"(time.Time).Add": TimeAdd,
	"time.Until":      TimeUntil,
	"time.Time":       TimeTimeType,
	"time.Ticker":     TimeTickerTyp,
	"time.Timer":      TimeTimerType,
	"time.Duration":   TimeDuration,

	"net/http.NewRequest":                  HTTPNewRequest,
	"net/http.NewRequestWithContext":       HTTPNewRequestWithCtx,
	"(*net/http.Request).WithContext":      HTTPRequestWithContext,
	"(*net/http.Request).Clone":            HTTPRequestWithContext,
	"(*net/http.Request).Context":          HTTPRequestContext,
	"net/http.DefaultClient":               HTTPDefaultClient,
	"net/http.ErrServerClosed":             HTTPErrServerClosed,
	"net/http.Request":                     HTTPRequestType,
	"net/http.ResponseWriter":              HTTPResponseWriterType,
	"(net/http.Hijacker).Hijack":           HTTPHijack,
	"net/http.ListenAndServe":              HTTPServeZero,
	"net/http.ListenAndServeTLS":           HTTPServeZero,
	"net/http.Serve":                       HTTPServeZero,
	"net/http.ServeTLS":                    HTTPServeZero,
	"(*net/http.Server).ListenAndServe":    HTTPServerServe,
	"(*net/http.Server).ListenAndServeTLS": HTTPServerServe,
	"(*net/http.Server).Serve":             HTTPServerServe,
	"(*net/http.Server).ServeTLS":          HTTPServerServe,
	"os/exec.CommandContext":               ExecCommandContext,
	"(*os/exec.Cmd).Run":                   ExecRun,
	"(*os/exec.Cmd).Output":                ExecRun,
	"(*os/exec.Cmd).CombinedOutput":        ExecRun,
	"(*os/exec.Cmd).Start":                 ExecRun,
	"(*os/exec.Cmd).Wait":                  ExecRun,
	"net/http.Client":                      HTTPClientType,
	"net/http.Transport":                   HTTPTransportType,
	"net.Dialer":                           DialerType,
	"crypto/tls.Dialer":                    DialerType,
	"net.Conn":                             NetConnType,

	"os.Exit":                   NoReturn,
	"syscall.Exit":              NoReturn,
	"runtime.Goexit":            NoReturn,
	"log.Fatal":                 NoReturn,
	"log.Fatalf":                NoReturn,
	"log.Fatalln":               NoReturn,
	"log.Panic":                 NoReturn,
	"log.Panicf":                NoReturn,
	"log.Panicln":               NoReturn,
	"(*log.Logger).Fatal":       NoReturn,
	"(*log.Logger).Fatalf":      NoReturn,
	"(*log.Logger).Fatalln":     NoReturn,
	"(*log.Logger).Panic":       NoReturn,
	"(*log.Logger).Panicf":      NoReturn,
	"(*log.Logger).Panicln":     NoReturn,
	"(*testing.common).Cleanup": TestCleanup,
	"(testing.TB).Cleanup":      TestCleanup,
	"(*testing.common).Context": TestContext,
	"(testing.TB).Context":      TestContext,
	"(*testing.common).FailNow": NoReturn,
	"(*testing.common).Fatal":   NoReturn,
	"(*testing.common).Fatalf":  NoReturn,
	"(*testing.common).SkipNow": NoReturn,
	"(*testing.common).Skip":    NoReturn,
	"(*testing.common).Skipf":   NoReturn,
	"(testing.TB).FailNow":      NoReturn,
	"(testing.TB).Fatal":        NoReturn,
	"(testing.TB).Fatalf":       NoReturn,
	"(testing.TB).SkipNow":      NoReturn,
	"(testing.TB).Skip":         NoReturn,
	"(testing.TB).Skipf":        NoReturn,
}

// RoleOf returns the role of a function or method (its generic origin).
func RoleOf(fn *types.Func) Role {
	if !declaredIn(rolePackages(), fn) {
		return NoRole
	}
	return roles[fn.Origin().FullName()]
}

// declaredIn reports whether fn belongs to one of the packages of a table:
// the test that spares most calls the full name, which costs a string
// built per call (a fifth of the core's time on a package of 600 API
// methods, before this test).
func declaredIn(pkgs map[string]bool, fn *types.Func) bool {
	return fn != nil && fn.Pkg() != nil && pkgs[fn.Pkg().Path()]
}

// packagesOf returns the import paths of a table's full-name keys.
func packagesOf[V any](table map[string]V) map[string]bool {
	out := map[string]bool{}
	for name := range table {
		out[PackageOf(name)] = true
	}
	return out
}

var (
	rolePackages       = sync.OnceValue(func() map[string]bool { return packagesOf(roles) })
	nonWaitingPackages = sync.OnceValue(func() map[string]bool { return packagesOf(nonWaiting) })
	cleanupPackages    = sync.OnceValue(func() map[string]bool { return packagesOf(cleanups) })
)

// VarRole returns the role of a package-level variable.
func VarRole(v *types.Var) Role {
	if v == nil || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() || !rolePackages()[v.Pkg().Path()] {
		return NoRole
	}
	return roles[v.Pkg().Path()+"."+v.Name()]
}

// TypeRole returns the role of a named type (or of the type a pointer
// points to).
func TypeRole(t types.Type) Role {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || !rolePackages()[named.Obj().Pkg().Path()] {
		return NoRole
	}
	return roles[named.Obj().Pkg().Path()+"."+named.Obj().Name()]
}

// GRPCCancelCode reports whether v, a constant of type codes.Code, is
// codes.Canceled (1) or codes.DeadlineExceeded (4): the gRPC protocol's
// spelling of a cancellation, part of its wire contract.
func GRPCCancelCode(v types.Type, value constant.Value) bool {
	if TypeRole(v) != GRPCCodeType || value == nil {
		return false
	}
	code, ok := constant.Uint64Val(value)
	return ok && (code == 1 || code == 4)
}

// IsErrorMethod reports whether m is the Error method of the predeclared
// error interface.
func IsErrorMethod(m *types.Func) bool {
	return m != nil && m.Pkg() == nil && m.Name() == "Error"
}

// IsCloseMethod reports whether fn is a Close method of the io.Closer
// contract (no parameters, an error result): closing a connection ends
// every wait on it.
func IsCloseMethod(fn *types.Func) bool {
	if fn == nil || fn.Name() != "Close" {
		return false
	}
	sig := fn.Signature()
	return sig.Recv() != nil && sig.Params().Len() == 0 && sig.Results().Len() == 1 && IsError(sig.Results().At(0).Type())
}

// IsConnType reports whether t is net.Conn: a connection
// another one can wrap (tls.Client(conn, cfg)).
func IsConnType(t types.Type) bool {
	return TypeRole(t) == NetConnType
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := named.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == "context" && obj.Name() == "Context"
}

// EmbedsContext reports whether t is a struct (or a pointer to one) that
// embeds a context.Context, and so is one (caddy.Context): a value of it
// can be passed wherever a context is asked for. A type that merely has
// the methods (gin.Context, whose Done is nil) does not count.
func EmbedsContext(t types.Type) bool { return embeds(t, IsContext) }

// EmbedsRequest reports whether t is a struct (or a pointer to one) that
// embeds an *http.Request (go-retryablehttp's Request): its Context() is
// the request's.
func EmbedsRequest(t types.Type) bool {
	return embeds(t, IsRequestPointer)
}

// IsRequestPointer reports whether t is *http.Request.
func IsRequestPointer(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && TypeRole(p.Elem()) == HTTPRequestType
}

// embeds reports whether t is a struct (or a pointer to one) with an
// embedded field whose type satisfies is.
func embeds(t types.Type, is func(types.Type) bool) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := types.Unalias(t).Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range st.Fields() {
		if f.Embedded() && is(f.Type()) {
			return true
		}
	}
	return false
}

// IsError reports whether t is the predeclared error type.
func IsError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// Derivation says how a context constructor's result relates to its
// parent, for the core's classification of context values.
func (r Role) Derivation() (root, parent, deadline bool) {
	switch r {
	case CtxRoot, CtxDetach:
		return true, false, false
	case CtxCancel, CtxValue, CtxSignal, CtxGroup:
		return false, true, false
	case CtxTimeout, CtxDeadline:
		return false, false, true
	}
	return false, false, false
}

// Cancellable reports whether the constructor gives its caller a way to
// cancel the result (a cancel function, a signal, a failing group member):
// a function that makes one owns the cancellations it sees.
func (r Role) Cancellable() bool {
	switch r {
	case CtxCancel, CtxTimeout, CtxDeadline, CtxSignal, CtxGroup:
		return true
	}
	return false
}

// DeadlineSetter reports whether fn sets an I/O deadline on a connection:
// a method SetDeadline, SetReadDeadline or SetWriteDeadline taking a
// time.Time and returning an error, the contract of net.Conn (and of
// os.File, tls.Conn and every wrapper that forwards it). It returns which
// directions the deadline covers.
func DeadlineSetter(fn *types.Func) (read, write bool) {
	if fn == nil {
		return false, false
	}
	sig := fn.Signature()
	if sig.Recv() == nil || sig.Params().Len() != 1 || sig.Results().Len() != 1 ||
		TypeRole(sig.Params().At(0).Type()) != TimeTimeType || !IsError(sig.Results().At(0).Type()) {
		return false, false
	}
	switch fn.Name() {
	case "SetDeadline":
		return true, true
	case "SetReadDeadline":
		return true, false
	case "SetWriteDeadline":
		return false, true
	}
	return false, false
}

// NonWaiting lists functions that take a context but never wait on the
// outside world: their errors are never cancellations, and a context given
// to them reaches no wait.
var nonWaiting = map[string]bool{
	"net/http.NewRequestWithContext":  true,
	"context.WithValue":               true,
	"context.WithCancel":              true,
	"context.WithCancelCause":         true,
	"context.WithTimeout":             true,
	"context.WithTimeoutCause":        true,
	"context.WithDeadline":            true,
	"context.WithDeadlineCause":       true,
	"context.WithoutCancel":           true,
	"context.Cause":                   true,
	"context.AfterFunc":               true,
	"os/signal.NotifyContext":         true,
	"log/slog.DebugContext":           true,
	"log/slog.InfoContext":            true,
	"log/slog.WarnContext":            true,
	"log/slog.ErrorContext":           true,
	"log/slog.Log":                    true,
	"log/slog.LogAttrs":               true,
	"(*log/slog.Logger).DebugContext": true,
	"(*log/slog.Logger).InfoContext":  true,
	"(*log/slog.Logger).WarnContext":  true,
	"(*log/slog.Logger).ErrorContext": true,
	"(*log/slog.Logger).Log":          true,
	"(*log/slog.Logger).LogAttrs":     true,
	"runtime/trace.NewTask":           true,
	"runtime/trace.StartRegion":       true,
	"runtime/trace.Log":               true,
	"runtime/trace.Logf":              true,
	"runtime/pprof.Do":                true,
}

// NonWaiting reports whether fn takes a context but never waits.
func NonWaiting(fn *types.Func) bool {
	return declaredIn(nonWaitingPackages(), fn) && nonWaiting[fn.Origin().FullName()]
}

// A Cleanup is a call that releases or shuts down something and takes a
// context to bound how long it may take. Given a context that is already
// done, it fails at once and the resource leaks (cleanupctx).
type Cleanup struct {
	Func    string
	Context Arg
	// CancelSafe is set when a cancelled context is harmless to this
	// cleanup: pgx closes the connection when a rollback's context is
	// done, and closing it rolls back too (pgx documents `defer
	// tx.Rollback(ctx)`).
	CancelSafe bool
}

var cleanups = map[string]Cleanup{}

func init() {
	for _, c := range []Cleanup{
		{Func: "(*net/http.Server).Shutdown", Context: At(0)},
		{Func: "(*github.com/jackc/pgx/v5.Conn).Close", Context: At(0), CancelSafe: true},
		{Func: "(*github.com/jackc/pgx/v4.Conn).Close", Context: At(0), CancelSafe: true},
		{Func: "(github.com/jackc/pgx/v5.Tx).Rollback", Context: At(0), CancelSafe: true},
		{Func: "(github.com/jackc/pgx/v4.Tx).Rollback", Context: At(0), CancelSafe: true},
		{Func: "(*go.mongodb.org/mongo-driver/mongo.Client).Disconnect", Context: At(0)},
		{Func: "(*go.mongodb.org/mongo-driver/v2/mongo.Client).Disconnect", Context: At(0)},
	} {
		cleanups[c.Func] = c
	}
}

// CleanupOf returns the cleanup call fn denotes, or nil. Methods of a
// catalog shape family named in its cleanup list count too.
func CleanupOf(fn *types.Func) *Cleanup {
	if fn == nil {
		return nil
	}
	fn = fn.Origin()
	if declaredIn(cleanupPackages(), fn) {
		if c, ok := cleanups[fn.FullName()]; ok {
			return &c
		}
	}
	for i := range builtinShapes {
		sh := &builtinShapes[i]
		if sh.cleanup[fn.Name()] && sh.covers(fn) {
			sig := fn.Signature()
			if sig.Params().Len() > 0 && IsContext(sig.Params().At(0).Type()) {
				return &Cleanup{Func: fn.FullName(), Context: At(0), CancelSafe: sh.kind == SQL}
			}
		}
	}
	return nil
}

// Inert reports whether fn is a method a library's shape declares inert:
// neither a wait nor a cleanup, whatever its body does with its context
// (go-redis's Tx.Close sends an UNWATCH with it but releases the
// connection whatever became of that). It holds inside the library too,
// where the method's body is in view.
func Inert(fn *types.Func) bool {
	if fn == nil {
		return false
	}
	fn = fn.Origin()
	for i := range builtinShapes {
		if sh := &builtinShapes[i]; sh.inert[fn.Name()] && sh.covers(fn) {
			return true
		}
	}
	return false
}

// ShortName renders a function as users write it: "http.Get",
// "(*sql.DB).QueryContext", "(*pgxpool.Pool).Query".
func ShortName(fn *types.Func) string {
	qual := func(p *types.Package) string { return p.Name() }
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		if _, isIface := t.Underlying().(*types.Interface); isIface {
			return types.TypeString(t, qual) + "." + fn.Name()
		}
		return "(" + types.TypeString(t, qual) + ")." + fn.Name()
	}
	if fn.Pkg() == nil {
		return fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

// RequestAccessor returns how a web framework's per-request value reaches
// the request it serves — ".Request" for a struct with an exported
// *http.Request field (beego's and gin's Context), ".Request()" for an
// interface with such a method (echo.Context) — or "". Only a value that
// carries the response writer next to the request counts: that pair is a
// handler's view of one exchange, so its request's context is the
// caller's; a struct that merely keeps some request (a retry template)
// does not have it.
func RequestAccessor(t types.Type) string {
	base := t
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		base = p.Elem()
	}
	type member struct {
		access string
		typ    types.Type
	}
	var members []member
	if st, ok := types.Unalias(base).Underlying().(*types.Struct); ok {
		for f := range st.Fields() {
			if f.Exported() && !f.Embedded() {
				members = append(members, member{"." + f.Name(), f.Type()})
			}
		}
	} else if types.IsInterface(base) {
		ms := types.NewMethodSet(base)
		for i := range ms.Len() {
			m := ms.At(i).Obj()
			if sig, ok := m.Type().(*types.Signature); ok && m.Exported() && sig.Params().Len() == 0 && sig.Results().Len() == 1 {
				members = append(members, member{"." + m.Name() + "()", sig.Results().At(0).Type()})
			}
		}
	}
	var request string
	var writer *types.Interface
	for _, m := range members {
		if IsRequestPointer(m.typ) {
			request = m.access
			if named, ok := types.Unalias(m.typ.(*types.Pointer).Elem()).(*types.Named); ok {
				if rw, ok := named.Obj().Pkg().Scope().Lookup("ResponseWriter").(*types.TypeName); ok {
					writer, _ = rw.Type().Underlying().(*types.Interface)
				}
			}
		}
	}
	if request == "" || writer == nil {
		return ""
	}
	for _, m := range members {
		if types.AssignableTo(m.typ, writer) {
			return request
		}
	}
	return ""
}
