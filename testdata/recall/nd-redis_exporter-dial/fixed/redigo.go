// Recall case nd-redis_exporter-dial
// Source: github.com/oliver006/redis_exporter commit 16f3ea15f9bd69ce90092f320ee23ae72a434d14 (exporter/redis.go)
// Link: https://github.com/oliver006/redis_exporter/pull/72   (issue: https://github.com/oliver006/redis_exporter/issues/66)
// Bug: Exporter.scrape dials every redis addr with redis.DialURL/redis.Dial given only DialPassword, so the connect and every c.Do("INFO"...) read have no deadline and one dead target hangs Collect forever
// Fix: pass redis.DialConnectTimeout/DialReadTimeout/DialWriteTimeout(5s) in the dial options (upstream also moved the loop body into scrapeRedisHost)
// Rule: nodeadline
package exporter

// Minimal stand-in for github.com/garyburd/redigo/redis (Dial, DialURL, DialOption, Conn.Do, String),
// reproducing how redigo applies its options: the connect timeout goes into a net.Dialer and the
// read/write timeouts become per-command conn deadlines; a zero timeout means no deadline.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Conn represents a connection to a Redis server.
type Conn interface {
	Close() error
	Do(commandName string, args ...interface{}) (reply interface{}, err error)
}

type dialOptions struct {
	readTimeout  time.Duration
	writeTimeout time.Duration
	dial         func(network, addr string) (net.Conn, error)
	password     string
}

// DialOption specifies an option for dialing a Redis server.
type DialOption struct {
	f func(*dialOptions)
}

// DialReadTimeout specifies the timeout for reading a single command reply.
func DialReadTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) {
		do.readTimeout = d
	}}
}

// DialWriteTimeout specifies the timeout for writing a single command.
func DialWriteTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) {
		do.writeTimeout = d
	}}
}

// DialConnectTimeout specifies the timeout for connecting to the Redis server.
func DialConnectTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) {
		dialer := net.Dialer{Timeout: d}
		do.dial = dialer.Dial
	}}
}

// DialPassword specifies the password to use when connecting to the Redis server.
func DialPassword(password string) DialOption {
	return DialOption{func(do *dialOptions) {
		do.password = password
	}}
}

type conn struct {
	conn         net.Conn
	br           *bufio.Reader
	bw           *bufio.Writer
	readTimeout  time.Duration
	writeTimeout time.Duration
}

// Dial connects to the Redis server at the given network and address using the specified options.
func Dial(network, address string, options ...DialOption) (Conn, error) {
	do := dialOptions{
		dial: net.Dial,
	}
	for _, option := range options {
		option.f(&do)
	}

	netConn, err := do.dial(network, address)
	if err != nil {
		return nil, err
	}
	c := &conn{
		conn:         netConn,
		bw:           bufio.NewWriter(netConn),
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
	return c, nil
}

// DialURL connects to a Redis server at the given URL using the Redis URI scheme.
func DialURL(rawurl string, options ...DialOption) (Conn, error) {
	u, err := url.Parse(rawurl)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "redis" {
		return nil, fmt.Errorf("invalid redis URL scheme: %s", u.Scheme)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host = u.Host
		port = "6379"
	}
	if host == "" {
		host = "localhost"
	}
	address := net.JoinHostPort(host, port)

	if u.User != nil {
		if password, isSet := u.User.Password(); isSet {
			options = append(options, DialPassword(password))
		}
	}
	return Dial("tcp", address, options...)
}

func (c *conn) Close() error {
	return c.conn.Close()
}

func (c *conn) Do(cmd string, args ...interface{}) (interface{}, error) {
	if c.writeTimeout != 0 {
		c.conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	fmt.Fprintf(c.bw, "*%d\r\n$%d\r\n%s\r\n", len(args)+1, len(cmd), cmd)
	for _, a := range args {
		s := fmt.Sprint(a)
		fmt.Fprintf(c.bw, "$%d\r\n%s\r\n", len(s), s)
	}
	if err := c.bw.Flush(); err != nil {
		return nil, err
	}

	if c.readTimeout != 0 {
		c.conn.SetReadDeadline(time.Now().Add(c.readTimeout))
	}
	return c.readReply()
}

func (c *conn) readLine() (string, error) {
	line, err := c.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (c *conn) readReply() (interface{}, error) {
	line, err := c.readLine()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, errors.New("redigo: short response line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return nil, errors.New(line[1:])
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.br, buf); err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
	return nil, fmt.Errorf("redigo: unexpected response line %q", line)
}

// String is a helper that converts a command reply to a string.
func String(reply interface{}, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch reply := reply.(type) {
	case []byte:
		return string(reply), nil
	case string:
		return reply, nil
	case nil:
		return "", errors.New("redigo: nil returned")
	}
	return "", fmt.Errorf("redigo: unexpected type for String, got type %T", reply)
}
