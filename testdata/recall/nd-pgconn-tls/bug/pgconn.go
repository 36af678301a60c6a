// Recall case nd-pgconn-tls
// Source: github.com/jackc/pgconn commit c0a0be876d02652626514ed97b0349f245e3bf76 (pgconn.go)
// Link: https://github.com/jackc/pgconn/commit/c0a0be876d02652626514ed97b0349f245e3bf76
// Bug: connect() performs the SSLRequest write/read (startTLS) on the raw net.Conn before the context watcher is installed, so if the server accepts TCP but never answers, the read blocks forever with no deadline and connect_timeout / ctx cancellation are ignored.
// Fix: the TLS negotiation was moved after contextWatcher.Watch(ctx) (startTLS became a plain function returning the wrapped conn), so ctx cancellation sets a deadline on the conn during the handshake.
// Rule: nodeadline
package pgconn

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// DialFunc is a function that can be used to connect to a PostgreSQL server.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Config is the settings used to establish a connection to a PostgreSQL server.
type Config struct {
	Host           string
	Port           uint16
	User           string
	Database       string
	ConnectTimeout time.Duration
	DialFunc       DialFunc
	TLSConfig      *tls.Config
}

// FallbackConfig is additional settings to attempt a connection with.
type FallbackConfig struct {
	Host      string
	Port      uint16
	TLSConfig *tls.Config
}

// PgConn is a low-level PostgreSQL connection handle.
type PgConn struct {
	conn              net.Conn
	config            *Config
	parameterStatuses map[string]string
	contextWatcher    *ContextWatcher
	wbuf              []byte
}

type connectError struct {
	config *Config
	msg    string
	err    error
}

func (e *connectError) Error() string {
	return "failed to connect to " + e.config.Host + ": " + e.msg + " (" + e.err.Error() + ")"
}
func (e *connectError) Unwrap() error { return e.err }

// NewConfig builds a config with the default dialer.
func NewConfig(host string, port uint16, tlsConfig *tls.Config) *Config {
	d := &net.Dialer{KeepAlive: 5 * time.Minute}
	return &Config{Host: host, Port: port, User: "postgres", DialFunc: d.DialContext, TLSConfig: tlsConfig}
}

// ConnectConfig establishes a connection to a PostgreSQL server using config.
func ConnectConfig(ctx context.Context, config *Config) (pgConn *PgConn, err error) {
	// ConnectTimeout restricts the whole connection process.
	if config.ConnectTimeout != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, config.ConnectTimeout)
		defer cancel()
	}

	fallbackConfigs := []*FallbackConfig{
		{
			Host:      config.Host,
			Port:      config.Port,
			TLSConfig: config.TLSConfig,
		},
	}

	for _, fc := range fallbackConfigs {
		pgConn, err = connect(ctx, config, fc)
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return pgConn, nil
}

func NetworkAddress(host string, port uint16) (network, address string) {
	return "tcp", net.JoinHostPort(host, itoa(port))
}

func itoa(p uint16) string {
	var b [5]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + p%10)
		p /= 10
		if p == 0 {
			break
		}
	}
	return string(b[i:])
}

func connect(ctx context.Context, config *Config, fallbackConfig *FallbackConfig) (*PgConn, error) {
	pgConn := new(PgConn)
	pgConn.config = config
	pgConn.wbuf = make([]byte, 0, 1024)

	var err error
	network, address := NetworkAddress(fallbackConfig.Host, fallbackConfig.Port)
	pgConn.conn, err = config.DialFunc(ctx, network, address)
	if err != nil {
		return nil, &connectError{config: config, msg: "dial error", err: err}
	}

	pgConn.parameterStatuses = make(map[string]string)

	if fallbackConfig.TLSConfig != nil {
		if err := pgConn.startTLS(fallbackConfig.TLSConfig); err != nil {
			pgConn.conn.Close()
			return nil, &connectError{config: config, msg: "tls error", err: err}
		}
	}

	pgConn.contextWatcher = NewContextWatcher(
		func() { pgConn.conn.SetDeadline(time.Date(1, 1, 1, 1, 1, 1, 1, time.UTC)) },
		func() { pgConn.conn.SetDeadline(time.Time{}) },
	)

	pgConn.contextWatcher.Watch(ctx)
	defer pgConn.contextWatcher.Unwatch()

	// StartupMessage: length, protocol version 3.0, user, database.
	buf := pgConn.wbuf[:0]
	buf = append(buf, 0, 0, 0, 0, 0, 3, 0, 0)
	buf = append(buf, "user\x00"+config.User+"\x00"...)
	if config.Database != "" {
		buf = append(buf, "database\x00"+config.Database+"\x00"...)
	}
	buf = append(buf, 0)
	binary.BigEndian.PutUint32(buf[0:4], uint32(len(buf)))

	if _, err := pgConn.conn.Write(buf); err != nil {
		pgConn.conn.Close()
		return nil, &connectError{config: config, msg: "failed to write startup message", err: err}
	}

	hdr := make([]byte, 5)
	if _, err := io.ReadFull(pgConn.conn, hdr); err != nil {
		pgConn.conn.Close()
		return nil, &connectError{config: config, msg: "failed to receive message", err: err}
	}
	return pgConn, nil
}

func (pgConn *PgConn) startTLS(tlsConfig *tls.Config) (err error) {
	err = binary.Write(pgConn.conn, binary.BigEndian, []int32{8, 80877103})
	if err != nil {
		return
	}

	response := make([]byte, 1)
	if _, err = io.ReadFull(pgConn.conn, response); err != nil {
		return
	}

	if response[0] != 'S' {
		return errors.New("server refused TLS connection")
	}

	pgConn.conn = tls.Client(pgConn.conn, tlsConfig)

	return nil
}

// ContextWatcher watches a context and performs an action when the context is canceled (internal/ctxwatch).
type ContextWatcher struct {
	onCancel             func()
	onUnwatchAfterCancel func()
	unwatchChan          chan struct{}

	lock              sync.Mutex
	watchInProgress   bool
	onCancelWasCalled bool
}

// NewContextWatcher returns a ContextWatcher.
func NewContextWatcher(onCancel func(), onUnwatchAfterCancel func()) *ContextWatcher {
	return &ContextWatcher{
		onCancel:             onCancel,
		onUnwatchAfterCancel: onUnwatchAfterCancel,
		unwatchChan:          make(chan struct{}),
	}
}

// Watch starts watching ctx. If ctx is canceled then onCancel is called.
func (cw *ContextWatcher) Watch(ctx context.Context) {
	cw.lock.Lock()
	defer cw.lock.Unlock()

	if cw.watchInProgress {
		panic("Watch already in progress")
	}

	cw.onCancelWasCalled = false

	if ctx.Done() != nil {
		cw.watchInProgress = true
		go func() {
			select {
			case <-ctx.Done():
				cw.onCancel()
				cw.onCancelWasCalled = true
				<-cw.unwatchChan
			case <-cw.unwatchChan:
			}
		}()
	} else {
		cw.watchInProgress = false
	}
}

// Unwatch stops watching the previously watched context.
func (cw *ContextWatcher) Unwatch() {
	cw.lock.Lock()
	defer cw.lock.Unlock()

	if cw.watchInProgress {
		cw.unwatchChan <- struct{}{}
		if cw.onCancelWasCalled {
			cw.onUnwatchAfterCancel()
		}
		cw.watchInProgress = false
	}
}
