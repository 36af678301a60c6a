// Recall case nd-machinery-redis-timeouts
// Source: github.com/RichardKnop/machinery commit fc05d7714ceffe1348e9b4bf1ede351c58893333 (v1/common/redis.go)
// Link: https://github.com/RichardKnop/machinery/commit/fc05d7714ceffe1348e9b4bf1ede351c58893333   (PR https://github.com/RichardKnop/machinery/pull/148)
// Bug: RedisConnector.open dials redis with only DialDatabase, so every conn.Do from RedisBroker.Publish/nextTask reads and writes the socket with no deadline and a half-dead connection stalls the worker forever.
// Fix: open adds DialReadTimeout, DialWriteTimeout and DialConnectTimeout (15s each) to the redis dial options.
// Rule: nodeadline
package machinery

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// ---- minimal stand-in for github.com/garyburd/redigo/redis (same deadline semantics) ----

type dialOptions struct {
	readTimeout    time.Duration
	writeTimeout   time.Duration
	connectTimeout time.Duration
	db             int
	password       string
}

// DialOption specifies an option for dialing a Redis server.
type DialOption struct {
	f func(*dialOptions)
}

// DialReadTimeout specifies the timeout for reading a single command reply.
func DialReadTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.readTimeout = d }}
}

// DialWriteTimeout specifies the timeout for writing a single command.
func DialWriteTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.writeTimeout = d }}
}

// DialConnectTimeout specifies the timeout for connecting to the Redis server.
func DialConnectTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.connectTimeout = d }}
}

// DialDatabase specifies the database to select when dialing a connection.
func DialDatabase(db int) DialOption {
	return DialOption{func(do *dialOptions) { do.db = db }}
}

// DialPassword specifies the password to use when connecting to the Redis server.
func DialPassword(password string) DialOption {
	return DialOption{func(do *dialOptions) { do.password = password }}
}

// Conn represents a connection to a Redis server.
type Conn interface {
	Close() error
	Do(commandName string, args ...interface{}) (interface{}, error)
}

type conn struct {
	conn         net.Conn
	br           *bufio.Reader
	readTimeout  time.Duration
	writeTimeout time.Duration
}

// Dial connects to the Redis server at the given network and address
// (like redigo: a zero timeout means no deadline at all).
func Dial(network, address string, options ...DialOption) (Conn, error) {
	do := dialOptions{}
	for _, option := range options {
		option.f(&do)
	}
	dialer := net.Dialer{Timeout: do.connectTimeout}
	netConn, err := dialer.Dial(network, address)
	if err != nil {
		return nil, err
	}
	c := &conn{
		conn:         netConn,
		br:           bufio.NewReader(netConn),
		readTimeout:  do.readTimeout,
		writeTimeout: do.writeTimeout,
	}
	if do.password != "" {
		if _, err := c.Do("AUTH", do.password); err != nil {
			netConn.Close()
			return nil, err
		}
	}
	if do.db != 0 {
		if _, err := c.Do("SELECT", do.db); err != nil {
			netConn.Close()
			return nil, err
		}
	}
	return c, nil
}

func (c *conn) Close() error { return c.conn.Close() }

func (c *conn) Do(cmd string, args ...interface{}) (interface{}, error) {
	if c.writeTimeout != 0 {
		c.conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	buf := fmt.Sprintf("*%d\r\n$%d\r\n%s\r\n", len(args)+1, len(cmd), cmd)
	for _, a := range args {
		s := fmt.Sprint(a)
		buf += "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n"
	}
	if _, err := c.conn.Write([]byte(buf)); err != nil {
		return nil, err
	}
	if c.readTimeout != 0 {
		c.conn.SetReadDeadline(time.Now().Add(c.readTimeout))
	}
	line, err := c.br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) > 0 && line[0] == '-' {
		return nil, errors.New(line[1:])
	}
	return line, nil
}

type errorConn struct{ err error }

func (ec errorConn) Close() error                                   { return ec.err }
func (ec errorConn) Do(string, ...interface{}) (interface{}, error) { return nil, ec.err }

// Pool maintains a pool of connections (reduced: every Get dials).
type Pool struct {
	MaxIdle     int
	IdleTimeout time.Duration
	Dial        func() (Conn, error)
}

// Get gets a connection.
func (p *Pool) Get() Conn {
	c, err := p.Dial()
	if err != nil {
		return errorConn{err}
	}
	return c
}

// ---- v1/common/redis.go ----

// RedisConnector ...
type RedisConnector struct{}

// NewPool returns a new pool of Redis connections
func (rc *RedisConnector) NewPool(socketPath, host, password string, db int) *Pool {
	return &Pool{
		MaxIdle:     3,
		IdleTimeout: 240 * time.Second,
		Dial: func() (Conn, error) {
			c, err := rc.open(socketPath, host, password, db)
			if err != nil {
				return nil, err
			}

			if db != 0 {
				_, err = c.Do("SELECT", db)
			}

			if err != nil {
				return nil, err
			}
			return c, err
		},
	}
}

// Open a new Redis connection
func (rc *RedisConnector) open(socketPath, host, password string, db int) (Conn, error) {
	var opts = []DialOption{
		DialDatabase(db),
		DialReadTimeout(15 * time.Second),
		DialWriteTimeout(15 * time.Second),
		DialConnectTimeout(15 * time.Second),
	}

	if password != "" {
		opts = append(opts, DialPassword(password))
	}

	if socketPath != "" {
		return Dial("unix", socketPath, opts...)
	}

	return Dial("tcp", host, opts...)
}

// ---- v1/brokers/redis.go (reduced) ----

// RedisBroker represents a Redis broker
type RedisBroker struct {
	RedisConnector
	host       string
	password   string
	db         int
	socketPath string
	pool       *Pool
}

// Publish places a new message on the default queue
func (b *RedisBroker) Publish(routingKey string, msg []byte) error {
	conn := b.open()
	defer conn.Close()

	_, err := conn.Do("RPUSH", routingKey, msg)
	return err
}

func (b *RedisBroker) nextTask(queue string) (result interface{}, err error) {
	conn := b.open()
	defer conn.Close()

	return conn.Do("BLPOP", queue, 1)
}

// open returns or creates instance of Redis connection
func (b *RedisBroker) open() Conn {
	if b.pool == nil {
		b.pool = b.NewPool(b.socketPath, b.host, b.password, b.db)
	}
	return b.pool.Get()
}
