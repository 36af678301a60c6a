// Package sinks is the catalog of calls that wait on the outside world: the
// network, a database, an RPC peer. It is data: each entry names a function or
// method by its go/types full name and says where its context comes from and
// what else can bound the wait. Rules never test call names themselves; they
// ask Lookup.
package knowledge

import (
	"fmt"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// Kind groups sinks for messages and README tables.
type Kind string

const (
	HTTP Kind = "http"
	Dial Kind = "dial"
	DNS  Kind = "dns"
	SQL  Kind = "sql"
	RPC  Kind = "rpc"
	KV   Kind = "kv"
	// Process: a subprocess bound to a context (exec.CommandContext). Its
	// run time is the program's own business, so nodeadline asks no
	// deadline of it; the other rules judge it as any wait (a fresh root
	// for it where a caller's context is in scope, a done context given
	// to it).
	Process Kind = "process"
	// User marks entries of the -sinks flag.
	User Kind = "user"
)

// Arg is the position of an argument (the receiver excluded). Its zero
// value means "no such argument", so that an entry that leaves a field out
// never silently points at argument 0: build positions with At.
type Arg int8

// NoArg is the zero Arg: the call has no such argument.
const NoArg Arg = 0

// At is the argument at index i.
func At(i int) Arg { return Arg(i + 1) }

// Index returns the argument's index, and false for NoArg.
func (a Arg) Index() (int, bool) { return int(a) - 1, a != NoArg }

// In returns the argument's index when it is below n (the number of
// arguments of a call), and false for NoArg or an index out of range.
func (a Arg) In(n int) (int, bool) {
	i, ok := a.Index()
	return i, ok && i < n
}

// Bound says what, besides a context, can put a deadline on a sink's wait.
type Bound uint8

const (
	// BoundByNothing: only a context (if any) bounds the call.
	BoundByNothing Bound = iota
	// BoundByClientTimeout: the receiver is an *http.Client whose Timeout field bounds the call.
	BoundByClientTimeout
	// BoundByDefaultClient: a net/http package function that sends through http.DefaultClient.
	BoundByDefaultClient
	// BoundByDialerTimeout: the receiver is a net.Dialer (or tls.Dialer) whose Timeout or Deadline bounds the call.
	BoundByDialerTimeout
	// BoundByConnDeadline: a SetDeadline/SetReadDeadline call in the same function bounds the call.
	BoundByConnDeadline
	// BoundBySystem: the system bounds the call whatever its context (a DNS
	// lookup: the resolver's per-query timeout and attempts from
	// resolv.conf); the context adds cancellation and an earlier deadline.
	BoundBySystem
	// BoundByDriver: a database/sql call, whose driver may bound every
	// connection itself (SelfBoundingDriver): the *sql.DB is traced to the
	// sql.Open that made it.
	BoundByDriver
	// BoundByLibraryDefaults: the client library bounds every call by
	// default, whatever the context (go-redis: read and write deadlines
	// from its options). Turning that off takes an option the analysis
	// does not trace: such calls are never reported for lack of a
	// deadline.
	BoundByLibraryDefaults
)

// selfBoundingDrivers are the database/sql drivers, by the name they
// register, that bound every wait on their own: a query through them cannot
// hang on the network whatever its context. Each entry says why.
var selfBoundingDrivers = map[string]string{
	// github.com/ClickHouse/clickhouse-go v1 sets a read and a write
	// deadline on the connection around every exchange (read_timeout and
	// write_timeout, a minute by default: bootstrap.go, connect.go); v2
	// has dial, read and write timeouts by default too.
	"clickhouse": "clickhouse-go sets read and write deadlines on every connection",
	// SQLite drivers open a local file: no peer to wait for.
	"sqlite3": "a local SQLite file",
	"sqlite":  "a local SQLite file",
	// modernc.org/ql: an embedded database, in memory or in a file.
	"ql":  "an embedded ql database",
	"ql2": "an embedded ql database",
}

// SelfBoundingDriver reports whether the database/sql driver registered
// under name bounds every wait itself, and why.
func SelfBoundingDriver(name string) (string, bool) {
	why, ok := selfBoundingDrivers[name]
	return why, ok
}

// Sink is one catalog entry.
type Sink struct {
	// Func is (*types.Func).FullName() of the generic origin: "(*net/http.Client).Do",
	// "database/sql.Open" is not a sink; "net.Dial" is.
	Func string
	Kind Kind
	// Context is the context.Context argument, if any.
	Context Arg
	// Request is the *http.Request argument whose context governs the call,
	// if any.
	Request Arg
	// Bound names what else can bound the wait.
	Bound Bound
	// ContextForm names the context-taking replacement for a NoContext sink, used in
	// messages and fixes: "QueryContext" for (*sql.DB).Query. Empty when there is none
	// or when it is not a drop-in replacement (same receiver, ctx prepended).
	ContextForm string
	// AppendArgs is appended to the arguments when ContextForm needs more than the
	// context: Begin() becomes BeginTx(ctx, nil).
	AppendArgs string
	// Hint is what the message tells the user to use when ContextForm is empty.
	Hint string
	// Entry is the -sinks text of a user entry, for error messages.
	Entry string
	// TxContext is set for a context-free statement on a transaction
	// ((*sql.Tx).Exec): it runs inside the transaction its receiver was
	// begun as, and the database/sql contract is that the context given
	// to BeginTx governs the transaction until it commits or rolls back.
	// It is judged by that context; a transaction from Begin(), which
	// has none, is one missing deadline with the Begin, reported there.
	TxContext bool
	// Event is set for a wait whose purpose is to block until something
	// happens (a LISTEN notification): no deadline is the design, and
	// only cancellation matters. nodeadline does not ask it for one; the
	// other rules treat it as any wait.
	Event bool
}

// HasContext reports whether the sink takes a context argument.
func (s *Sink) HasContext() bool { return s.Context != NoArg }

// Catalog is a read-only set of sinks keyed by full name.
type Catalog struct {
	byName map[string]*Sink
	// packages holds the import path of every entry of byName.
	packages map[string]bool
	// shapes match methods by signature rather than name (generated gRPC clients,
	// AWS SDK v2 service clients); see shapes.go.
	shapes []shape
}

// Lookup returns the sink that fn denotes, or nil. fn may be an instantiated
// generic function or method; its origin is looked up.
func (c *Catalog) Lookup(fn *types.Func) *Sink {
	if fn == nil {
		return nil
	}
	fn = fn.Origin()
	if declaredIn(c.packages, fn) {
		if s, ok := c.byName[fn.FullName()]; ok {
			return s
		}
	}
	if declaredIn(cleanupPackages(), fn) {
		if _, cleanup := cleanups[fn.FullName()]; cleanup {
			return nil // a cleanup of a shape's library (pgx Tx.Rollback): a Cleanup, not a wait
		}
	}
	for i := range c.shapes {
		if s := c.shapes[i].match(fn); s != nil {
			s.Event = eventWaits[s.Func]
			return s
		}
	}
	return nil
}

// eventWaits are the waits of shape families that block until an event
// arrives, by design.
var eventWaits = map[string]bool{
	"(*github.com/jackc/pgx/v5.Conn).WaitForNotification":          true,
	"(*github.com/jackc/pgx/v5/pgconn.PgConn).WaitForNotification": true,
	"(*github.com/jackc/pgx/v4.Conn).WaitForNotification":          true,
}

// DefinesSinks reports whether the package with this import path declares a
// sink of the catalog (by name or by shape). A package that neither does nor
// imports, directly or indirectly, one that does can wait on nothing the
// rules know; see ctxflow.Relevant.
func (c *Catalog) DefinesSinks(path string) bool {
	if c.packages[path] {
		return true
	}
	for _, sh := range c.shapes {
		switch {
		case sh.pkg == "":
		case strings.HasSuffix(sh.pkg, "/"):
			if strings.HasPrefix(path, sh.pkg) {
				return true
			}
		case sh.pkg == path:
			return true
		}
	}
	return false
}

// A Method names a method of the catalog or the cleanup table by parts.
type Method struct {
	Pkg, Type, Name string
	Pointer         bool
	Sink            *Sink
	Cleanup         *Cleanup
}

// Methods returns the catalog's and the cleanup table's methods of named
// (non-interface) types, sorted: what an interface a user declares may
// stand for (an HTTPDoer that *http.Client implements).
func (c *Catalog) Methods() []Method {
	var out []Method
	add := func(name string, s *Sink, cl *Cleanup) {
		if !strings.HasPrefix(name, "(") {
			return
		}
		recv, method, ok := strings.Cut(name[1:], ").")
		if !ok {
			return
		}
		ptr := strings.HasPrefix(recv, "*")
		recv = strings.TrimPrefix(recv, "*")
		dot := strings.LastIndex(recv, ".")
		if dot < 0 {
			return
		}
		out = append(out, Method{Pkg: recv[:dot], Type: recv[dot+1:], Name: method, Pointer: ptr, Sink: s, Cleanup: cl})
	}
	for _, n := range c.Names() {
		add(n, c.byName[n], nil)
	}
	names := make([]string, 0, len(cleanups))
	for n := range cleanups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cl := cleanups[n]
		add(n, nil, &cl)
	}
	return out
}

// Names returns every catalog name, sorted, for documentation tests.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the built-in catalog extended with user entries (see ParseExtra).
func New(extra []Sink) *Catalog {
	c := &Catalog{byName: make(map[string]*Sink, len(builtin)+len(extra)), shapes: builtinShapes}
	for i := range builtin {
		s := builtin[i]
		c.byName[s.Func] = &s
	}
	for i := range extra {
		s := extra[i]
		c.byName[s.Func] = &s
	}
	c.packages = map[string]bool{}
	for name := range c.byName {
		c.packages[PackageOf(name)] = true
	}
	return c
}

// PackageOf returns the import path in a types.Func full name:
// "(*net/http.Client).Do" → "net/http", "net.Dial" → "net".
func PackageOf(fullName string) string {
	name := strings.TrimLeft(fullName, "(*")
	if i := strings.Index(name, ")"); i >= 0 {
		name = name[:i]
	}
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return name
	}
	return name[:slash+1+dot]
}

// List is the -sinks flag: user entries that extend the catalog. Its zero
// value is empty.
type List struct {
	text    string
	entries []Sink
}

func (l *List) String() string {
	if l == nil {
		return ""
	}
	return l.text
}

// Set parses the flag's text (see ParseExtra); a malformed entry is an error
// and leaves the list as it was.
func (l *List) Set(text string) error {
	entries, err := ParseExtra(text)
	if err != nil {
		return err
	}
	l.text, l.entries = text, entries
	return nil
}

// Entries returns the parsed entries.
func (l *List) Entries() []Sink {
	if l == nil {
		return nil
	}
	return l.entries
}

// ListUsage documents the flag.
const ListUsage = "extra calls that wait, comma-separated: pkgpath.Func:N or pkgpath.Type.Method:N, N the context argument index (receiver excluded) or none"

// ParseExtra parses the -sinks flag: a comma-separated list of
// "pkgpath.Func:N" or "pkgpath.Type.Method:N" (N is the context argument index,
// receiver excluded; "none" for a call without context). A pointer receiver is
// written as it is in go/types, "(*pkgpath.Type).Method:N", or without the
// star; both match the method.
func ParseExtra(flag string) ([]Sink, error) {
	var out []Sink
	for _, entry := range strings.Split(flag, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, idx, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("sink %q: want pkgpath.Func:N or pkgpath.Type.Method:N (N = context argument index or none)", entry)
		}
		ctx := NoArg
		if idx != "none" {
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 || n > 100 {
				return nil, fmt.Errorf("sink %q: context index %q is not a non-negative number or none", entry, idx)
			}
			ctx = At(n)
		}
		full, err := fullName(name)
		if err != nil {
			return nil, fmt.Errorf("sink %q: %v", entry, err)
		}
		hint := "a context-taking variant"
		out = append(out, Sink{Func: full, Kind: User, Context: ctx, Hint: hint, Entry: entry})
		if strings.HasPrefix(full, "(") && !strings.HasPrefix(full, "(*") {
			// Accept both pointer and value receivers for a user's Type.Method.
			out = append(out, Sink{Func: "(*" + full[1:], Kind: User, Context: ctx, Hint: hint, Entry: entry})
		}
	}
	return out, nil
}

// fullName turns "pkg/path.Type.Method", "(*pkg/path.Type).Method" or
// "pkg/path.Func" into types.Func.FullName form.
func fullName(name string) (string, error) {
	if strings.HasPrefix(name, "(") {
		if !strings.Contains(name, ").") {
			return "", fmt.Errorf("malformed receiver in %q", name)
		}
		return name, nil
	}
	slash := strings.LastIndex(name, "/")
	rest := name[slash+1:]
	parts := strings.Split(rest, ".")
	switch len(parts) {
	case 2: // pkg.Func
		if parts[0] == "" || parts[1] == "" {
			return "", fmt.Errorf("empty name in %q", name)
		}
		return name, nil
	case 3: // pkg.Type.Method
		if parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return "", fmt.Errorf("empty name in %q", name)
		}
		pkg := name[:slash+1] + parts[0]
		return "(" + pkg + "." + parts[1] + ")." + parts[2], nil
	}
	return "", fmt.Errorf("%q is not pkgpath.Func or pkgpath.Type.Method", name)
}
