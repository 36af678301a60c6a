package knowledge

// builtin is the standard-library catalog. Third-party libraries whose
// methods all share one shape are in shapes.go.
var builtin = concat(
	stdHTTP(),
	stdNet(),
	stdSQL(),
	[]Sink{
		{Func: "(*google.golang.org/grpc.ClientConn).Invoke", Kind: RPC, Context: At(0)},
		{Func: "(*google.golang.org/grpc.ClientConn).NewStream", Kind: RPC, Context: At(0)},
		// The command runs under the context: cancelling it kills the
		// process (Run, Wait and Output then return).
		{Func: "os/exec.CommandContext", Kind: Process, Context: At(0)},
	},
	sqlxNoContext(),
)

func concat(lists ...[]Sink) []Sink {
	var out []Sink
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

const newRequestHint = "http.NewRequestWithContext(ctx, …) sent by a client, from a context with a deadline"

func stdHTTP() []Sink {
	var out []Sink
	for _, m := range []string{"Get", "Head", "Post", "PostForm"} {
		out = append(out,
			Sink{Func: "net/http." + m, Kind: HTTP, Bound: BoundByDefaultClient, Hint: newRequestHint},
			Sink{Func: "(*net/http.Client)." + m, Kind: HTTP, Bound: BoundByClientTimeout, Hint: newRequestHint},
		)
	}
	return append(out,
		Sink{Func: "(*net/http.Client).Do", Kind: HTTP, Request: At(0), Bound: BoundByClientTimeout},
		Sink{Func: "(*net/http.Transport).RoundTrip", Kind: HTTP, Request: At(0)},
	)
}

const smtpHint = "a connection from (&net.Dialer{}).DialContext(ctx, \"tcp\", addr) with conn.SetDeadline(…), then smtp.NewClient(conn, host)"

func stdNet() []Sink {
	out := []Sink{
		{Func: "net.Dial", Kind: Dial, Hint: "(&net.Dialer{}).DialContext(ctx, …) or net.DialTimeout"},
		{Func: "net.DialTCP", Kind: Dial, Hint: "(&net.Dialer{}).DialContext(ctx, \"tcp\", …)"},
		{Func: "(*net.Dialer).Dial", Kind: Dial, Bound: BoundByDialerTimeout, ContextForm: "DialContext"},
		{Func: "(*net.Dialer).DialContext", Kind: Dial, Context: At(0), Bound: BoundByDialerTimeout},
		{Func: "crypto/tls.Dial", Kind: Dial, Hint: "(&tls.Dialer{Config: cfg}).DialContext(ctx, …)"},
		{Func: "(*crypto/tls.Dialer).Dial", Kind: Dial, Bound: BoundByDialerTimeout, ContextForm: "DialContext"},
		{Func: "(*crypto/tls.Dialer).DialContext", Kind: Dial, Context: At(0), Bound: BoundByDialerTimeout},
		{Func: "(*crypto/tls.Conn).Handshake", Kind: Dial, Bound: BoundByConnDeadline, ContextForm: "HandshakeContext"},
		{Func: "(*crypto/tls.Conn).HandshakeContext", Kind: Dial, Context: At(0), Bound: BoundByConnDeadline},
		// net/smtp has no context forms: it dials with net.Dial and talks on
		// a connection without deadline.
		{Func: "net/smtp.SendMail", Kind: Dial, Hint: smtpHint},
		{Func: "net/smtp.Dial", Kind: Dial, Hint: smtpHint},
	}
	// LookupPort is left out: it reads the services database, not the network.
	for _, m := range []string{"LookupAddr", "LookupCNAME", "LookupHost", "LookupIP", "LookupIPAddr", "LookupMX", "LookupNS", "LookupNetIP", "LookupSRV", "LookupTXT"} {
		out = append(out, Sink{Func: "(*net.Resolver)." + m, Kind: DNS, Context: At(0), Bound: BoundBySystem})
	}
	return out
}

func stdSQL() []Sink {
	var out []Sink
	// Receivers and the context-free methods each has.
	noCtx := map[string][]string{
		"DB":   {"Query", "QueryRow", "Exec", "Prepare", "Ping", "Begin"},
		"Tx":   {"Query", "QueryRow", "Exec", "Prepare"},
		"Stmt": {"Query", "QueryRow", "Exec"},
	}
	withCtx := map[string][]string{
		"DB":   {"QueryContext", "QueryRowContext", "ExecContext", "PrepareContext", "PingContext", "BeginTx", "Conn"},
		"Tx":   {"QueryContext", "QueryRowContext", "ExecContext", "PrepareContext"},
		"Stmt": {"QueryContext", "QueryRowContext", "ExecContext"},
		"Conn": {"QueryContext", "QueryRowContext", "ExecContext", "PrepareContext", "PingContext", "BeginTx"},
	}
	for _, recv := range []string{"Conn", "DB", "Stmt", "Tx"} {
		for _, m := range noCtx[recv] {
			s := Sink{Func: "(*database/sql." + recv + ")." + m, Kind: SQL, ContextForm: m + "Context", Bound: BoundByDriver}
			if m == "Begin" {
				s.ContextForm, s.AppendArgs = "BeginTx", "nil"
			}
			s.TxContext = recv == "Tx"
			out = append(out, s)
		}
		for _, m := range withCtx[recv] {
			out = append(out, Sink{Func: "(*database/sql." + recv + ")." + m, Kind: SQL, Context: At(0), Bound: BoundByDriver})
		}
	}
	return out
}

// sqlxNoContext lists jmoiron/sqlx's context-free methods; its context-taking
// methods are matched by shape.
func sqlxNoContext() []Sink {
	forms := map[string]string{
		"Queryx": "QueryxContext", "QueryRowx": "QueryRowxContext", "Get": "GetContext", "Select": "SelectContext",
		"MustExec": "MustExecContext", "NamedExec": "NamedExecContext", "NamedQuery": "NamedQueryContext",
	}
	var out []Sink
	for _, recv := range []string{"DB", "Tx"} {
		for _, m := range []string{"Get", "MustExec", "NamedExec", "NamedQuery", "QueryRowx", "Queryx", "Select"} {
			if recv == "Tx" && m == "NamedQuery" {
				continue // (*sqlx.Tx).NamedQuery exists, but has no NamedQueryContext twin
			}
			out = append(out, Sink{Func: "(*github.com/jmoiron/sqlx." + recv + ")." + m, Kind: SQL, ContextForm: forms[m]})
		}
	}
	out = append(out, Sink{Func: "(*github.com/jmoiron/sqlx.DB).Beginx", Kind: SQL, ContextForm: "BeginTxx", AppendArgs: "nil"})
	// A prepared named statement: each context-free method has its
	// Context twin (named_context.go).
	for _, m := range []string{"Exec", "Query", "QueryRow", "MustExec", "Queryx", "QueryRowx", "Select", "Get"} {
		out = append(out, Sink{Func: "(*github.com/jmoiron/sqlx.NamedStmt)." + m, Kind: SQL, ContextForm: m + "Context"})
	}
	return out
}
