package netcalls

import (
	"context"
	"crypto/tls"
	"net"
	"net/smtp"
	"time"
)

func dial(addr string) {
	net.Dial("tcp", addr) // want `net.Dial has no context, so the dial cannot time out or be cancelled: use \(&net.Dialer\{\}\).DialContext\(ctx, …\) or net.DialTimeout`
}

func dialTLS(addr string) {
	tls.Dial("tcp", addr, nil) // want `tls.Dial has no context, so the dial cannot time out`
}

func dialerWithoutTimeout(ctx context.Context, addr string) {
	var d net.Dialer
	d.Dial("tcp", addr) // want `\(\*net.Dialer\).Dial on a dialer without Timeout has no deadline, so the dial can hang forever: set Timeout or use DialContext\(ctx, …\)`
}

func dialerBackground(addr string) {
	d := &net.Dialer{}
	d.DialContext(context.Background(), "tcp", addr) // want `context.Background\(\) reaches \(\*net.Dialer\).DialContext: the dial has no deadline`
}

// The resolver bounds every lookup itself (resolv.conf's timeout and
// attempts): a context adds cancellation, so only a dropped caller's
// context is reported.
func resolver(host string) {
	net.DefaultResolver.LookupHost(context.TODO(), host)
}

func resolverDropsCtx(ctx context.Context, host string) {
	net.DefaultResolver.LookupHost(context.TODO(), host) // the dropped ctx: sharedeadline's
}

func handshake(ctx context.Context, c *tls.Conn) {
	c.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection, so the handshake can hang forever: call SetDeadline first or use HandshakeContext\(ctx, …\)`
}

// --- exemptions ---

func dialerWithTimeout(addr string) {
	d := net.Dialer{Timeout: time.Second}
	d.Dial("tcp", addr)
	d.DialContext(context.Background(), "tcp", addr)
}

func dialTimeout(addr string) {
	net.DialTimeout("tcp", addr, time.Second)
}

func handshakeWithDeadline(c *tls.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	c.Handshake()
}

func dialInherited(ctx context.Context, d *net.Dialer, addr string) {
	d.DialContext(ctx, "tcp", addr)
}

func signalContext(ctx context.Context, d *net.Dialer, addr string) {
	d.DialContext(ctx, "tcp", addr)
}

// A Unix-domain socket is local: connecting does not wait on a peer.
func dialUnix(path string) (net.Conn, error) {
	return net.Dial("unix", path)
}

// A watchdog closes the connection when ctx is done, which ends the
// handshake: bounded (kafka-go's connectTLS).
func handshakeWatchdog(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tlsConn := tls.Client(conn, cfg)
	errc := make(chan error, 1)
	go func() { errc <- tlsConn.Handshake() }()
	select {
	case <-ctx.Done():
		conn.Close()
		<-errc
		return nil, ctx.Err()
	case err := <-errc:
		return tlsConn, err
	}
}

// The same with context.AfterFunc.
func handshakeAfterFunc(ctx context.Context, conn *tls.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return conn.Handshake()
}

// net/smtp has no context forms: dial yourself, with a deadline.
func mail(body []byte) error {
	return smtp.SendMail("mail:25", nil, "a@example.com", []string{"b@example.com"}, body) // want `smtp.SendMail has no context, so the dial cannot time out or be cancelled: use a connection from \(&net.Dialer\{\}\).DialContext\(ctx, "tcp", addr\) with conn.SetDeadline\(…\), then smtp.NewClient\(conn, host\)`
}

func mailDial() (*smtp.Client, error) {
	return smtp.Dial("mail:25") // want `smtp.Dial has no context`
}

// The fixed form: a bounded connection handed to smtp.NewClient.
func mailBounded(ctx context.Context) (*smtp.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", "mail:25")
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	return smtp.NewClient(conn, "mail")
}

// exchange bounds its I/O with ctx's deadline, and with nothing else.
func exchange(ctx context.Context, conn net.Conn, msg []byte) error {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	_, err := conn.Read(msg)
	return err
}

func exchangeTODO(conn net.Conn) error {
	return exchange(context.TODO(), conn, nil) // want `context.TODO\(\) reaches the I/O of a connection whose deadline is ctx's \(SetDeadline\(ctx.Deadline\(\)\)\) via netcalls.exchange: the wait has no deadline`
}

func exchangeBounded(ctx context.Context, conn net.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return exchange(ctx, conn, nil)
}

// The caller puts the deadline on the connection before the helper runs
// the handshake (nats' processConnectInit → makeTLSConn): bounded.
type natsConn struct{ conn net.Conn }

func (nc *natsConn) connectInit(timeout time.Duration) error {
	nc.conn.SetDeadline(time.Now().Add(timeout))
	defer nc.conn.SetDeadline(time.Time{})
	return nc.upgrade()
}

func (nc *natsConn) upgrade() error {
	tc := tls.Client(nc.conn, &tls.Config{})
	nc.conn = tc
	return tc.Handshake()
}

// One caller sets no deadline (nats' websocket path): the helper's
// handshake can hang on that path.
type wsConn struct{ conn net.Conn }

func (c *wsConn) connectInit(timeout time.Duration) error {
	c.conn.SetDeadline(time.Now().Add(timeout))
	return c.upgrade()
}

func (c *wsConn) wsHandshake() error { return c.upgrade() }

func (c *wsConn) upgrade() error {
	tc := tls.Client(c.conn, &tls.Config{})
	c.conn = tc
	return tc.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}

// A watcher goroutine closes the connection once the context handed to it
// is done (go-sql-driver/mysql: the goroutine calls cancel, cancel calls
// cleanup, cleanup closes the raw connection the package copied from
// netConn): the handshake is bounded by that context.
type watchedConn struct {
	netConn net.Conn
	rawConn net.Conn
	watcher chan context.Context
}

func (mc *watchedConn) startWatcher() {
	go func() {
		for ctx := range mc.watcher {
			<-ctx.Done()
			mc.cancel()
		}
	}()
}

func (mc *watchedConn) cancel() { mc.cleanup() }

func (mc *watchedConn) cleanup() { mc.rawConn.Close() }

func (mc *watchedConn) Connect(ctx context.Context) error {
	mc.rawConn = mc.netConn
	mc.startWatcher()
	mc.watcher <- ctx
	tc := tls.Client(mc.netConn, &tls.Config{})
	return tc.Handshake()
}

// Closed only by its own Close, whatever happens to any context: no
// watchdog.
type plainConn struct{ conn net.Conn }

func (p *plainConn) Close() error { return p.conn.Close() }

func (p *plainConn) Upgrade() error {
	tc := tls.Client(p.conn, &tls.Config{})
	return tc.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}

// The connection's maker decides. A dial function the caller configures
// (amqp091's Config.Dial, whose default sets the deadline itself) may
// bound it: unknown, and with no context in scope, silent.
type amqpConfig struct {
	Dial func(network, addr string) (net.Conn, error)
}

func defaultDial(timeout time.Duration) func(network, addr string) (net.Conn, error) {
	return func(network, addr string) (net.Conn, error) {
		conn, err := net.DialTimeout(network, addr, timeout)
		if err != nil {
			return nil, err
		}
		return conn, conn.SetDeadline(time.Now().Add(timeout))
	}
}

func dialConfig(cfg amqpConfig, addr string) error {
	dialer := cfg.Dial
	if dialer == nil {
		dialer = defaultDial(30 * time.Second)
	}
	conn, err := dialer("tcp", addr)
	if err != nil {
		return err
	}
	client := tls.Client(conn, &tls.Config{})
	return client.Handshake()
}

// A function of the package that sets the deadline on what it dials.
func dialWithDeadline(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn, nil
}

func handshakeOnDeadlineDial(addr string) error {
	conn, err := dialWithDeadline(addr)
	if err != nil {
		return err
	}
	return tls.Client(conn, &tls.Config{}).Handshake()
}

// A maker that sets no deadline, and an accepted connection: unbounded.
func dialPlain(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, time.Second) }

func handshakeOnPlainDial(addr string) error {
	conn, err := dialPlain(addr)
	if err != nil {
		return err
	}
	return tls.Client(conn, &tls.Config{}).Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}

func handshakeOnAccepted(ln net.Listener) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	return tls.Server(conn, &tls.Config{}).Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}

// A network chosen by a switch: the "unix" case dials a Unix socket
// (docker's client dialer); the default case dials a peer.
type daemonClient struct{ proto, addr string }

func (cli *daemonClient) dial() (net.Conn, error) {
	switch cli.proto {
	case "unix":
		return net.Dial(cli.proto, cli.addr)
	default:
		return net.Dial(cli.proto, cli.addr) // want `net.Dial has no context`
	}
}

func dialChosen(proto, addr string) (net.Conn, error) {
	if proto == "unixpacket" {
		return net.Dial(proto, addr)
	}
	if proto != "unix" {
		return net.Dial(proto, addr) // want `net.Dial has no context`
	}
	return nil, nil
}

// A DNS lookup through a helper: the resolver bounds it, so the reach is
// "maybe bounded" and a root given to it is no nodeadline finding (a
// caller's context dropped on the way is sharedeadline's).
func lookupAll(ctx context.Context, host string) ([]net.IPAddr, error) {
	return net.DefaultResolver.LookupIPAddr(ctx, host)
}

func lookupFromRoot(host string) {
	lookupAll(context.Background(), host)
}

func lookupDropsCtx(ctx context.Context, host string) {
	lookupAll(context.TODO(), host)
}

func (cli *daemonClient) dialer() func(context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		switch cli.proto {
		case "unix":
			return net.Dial(cli.proto, cli.addr)
		default:
			return net.Dial(cli.proto, cli.addr) // want `net.Dial has no context`
		}
	}
}

// A connection handed to an exported method (a credentials'
// ServerHandshake): its callers may have set the deadline; with no
// context in scope, silent. An unexported one with no caller that sets a
// deadline is judged here.
type serverCreds struct{ cfg *tls.Config }

func (c *serverCreds) ServerHandshake(rawConn net.Conn) (net.Conn, error) {
	conn := tls.Server(rawConn, c.cfg)
	return conn, conn.Handshake()
}

func (c *serverCreds) upgrade(rawConn net.Conn) (net.Conn, error) {
	conn := tls.Server(rawConn, c.cfg)
	return conn, conn.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}
