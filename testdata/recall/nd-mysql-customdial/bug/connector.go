// Recall case nd-mysql-customdial
// Source: github.com/go-sql-driver/mysql commit 15462c1d60d42ecca11d6ef9fec0b0afd5833459 (connector.go)
// Link: https://github.com/go-sql-driver/mysql/pull/1035
// Bug: when a custom dial function is registered for cfg.Net, Connect passes it the bare ctx from database/sql (context.Background() for db.Ping/db.Query), so the DSN "timeout" is never applied and dialing an unreachable server can hang indefinitely.
// Fix: Connect wraps ctx with context.WithTimeout(ctx, cfg.Timeout) before calling the registered dial function when a Timeout is configured.
// Rule: nodeadline
package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// DialContextFunc is a function which can be used to establish the network connection.
// Custom dial functions must be registered with RegisterDialContext
type DialContextFunc func(ctx context.Context, addr string) (net.Conn, error)

var (
	dialsLock sync.RWMutex
	dials     map[string]DialContextFunc
)

// RegisterDialContext registers a custom dial function. It can then be used by the
// network address mynet(addr), where mynet is the registered new network.
// The current context for the connection and its address is passed to the dial function.
func RegisterDialContext(net string, dial DialContextFunc) {
	dialsLock.Lock()
	defer dialsLock.Unlock()
	if dials == nil {
		dials = make(map[string]DialContextFunc)
	}
	dials[net] = dial
}

// Config is a configuration parsed from a DSN string.
type Config struct {
	Net          string
	Addr         string
	Timeout      time.Duration // Dial timeout
	ReadTimeout  time.Duration // I/O read timeout
	WriteTimeout time.Duration // I/O write timeout
}

type mysqlConn struct {
	netConn      net.Conn
	cfg          *Config
	closech      chan struct{}
	readTimeout  time.Duration
	writeTimeout time.Duration
}

func (mc *mysqlConn) cleanup() {
	close(mc.closech)
	if mc.netConn != nil {
		mc.netConn.Close()
	}
}

func (mc *mysqlConn) readHandshakePacket() ([]byte, error) {
	if mc.readTimeout > 0 {
		if err := mc.netConn.SetReadDeadline(time.Now().Add(mc.readTimeout)); err != nil {
			return nil, err
		}
	}
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(mc.netConn, hdr); err != nil {
		return nil, err
	}
	n := int(uint32(hdr[0]) | uint32(hdr[1])<<8 | uint32(hdr[2])<<16)
	data := make([]byte, n)
	if _, err := io.ReadFull(mc.netConn, data); err != nil {
		return nil, err
	}
	return data, nil
}

func (mc *mysqlConn) Prepare(query string) (driver.Stmt, error) {
	return nil, errors.New("not implemented")
}
func (mc *mysqlConn) Close() error              { mc.cleanup(); return nil }
func (mc *mysqlConn) Begin() (driver.Tx, error) { return nil, errors.New("not implemented") }

type connector struct {
	cfg *Config // immutable private copy.
}

// Connect implements driver.Connector interface.
// Connect returns a connection to the database.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	var err error

	// New mysqlConn
	mc := &mysqlConn{
		closech: make(chan struct{}),
		cfg:     c.cfg,
	}

	// Connect to Server
	dialsLock.RLock()
	dial, ok := dials[mc.cfg.Net]
	dialsLock.RUnlock()
	if ok {
		mc.netConn, err = dial(ctx, mc.cfg.Addr)
	} else {
		nd := net.Dialer{Timeout: mc.cfg.Timeout}
		mc.netConn, err = nd.DialContext(ctx, mc.cfg.Net, mc.cfg.Addr)
	}

	if err != nil {
		return nil, err
	}

	// Enable TCP Keepalives on TCP connections
	if tc, ok := mc.netConn.(*net.TCPConn); ok {
		if err := tc.SetKeepAlive(true); err != nil {
			mc.netConn.Close()
			mc.netConn = nil
			return nil, err
		}
	}

	// Set I/O timeouts
	mc.readTimeout = mc.cfg.ReadTimeout
	mc.writeTimeout = mc.cfg.WriteTimeout

	// Reading Handshake Initialization Packet
	if _, err := mc.readHandshakePacket(); err != nil {
		mc.cleanup()
		return nil, err
	}
	return mc, nil
}

// Driver implements driver.Connector interface.
func (c *connector) Driver() driver.Driver { return nil }

// OpenWithProxyDialer is typical user code: a custom "proxy" network whose
// dial function honours ctx, and a DSN timeout the user expects to apply.
func OpenWithProxyDialer(addr string) error {
	RegisterDialContext("proxy", func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	db := sql.OpenDB(&connector{cfg: &Config{Net: "proxy", Addr: addr, Timeout: 5 * time.Second, ReadTimeout: 30 * time.Second}})
	defer db.Close()
	return db.Ping()
}
