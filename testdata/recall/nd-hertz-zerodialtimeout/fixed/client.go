// Recall case nd-hertz-zerodialtimeout
// Source: github.com/cloudwego/hertz commit 21aae1d4151171da1b9ee7cc1816f227e851b99a (pkg/protocol/http1/client.go)
// Link: https://github.com/cloudwego/hertz/commit/21aae1d4151171da1b9ee7cc1816f227e851b99a
// Bug: HostClient.doNonNilReqResp sets dialTimeout = reqTimeout whenever reqTimeout < dialTimeout; with no request timeout (0) the configured DialTimeout is replaced by 0 and acquireConn/dialHostHard/DialConnection call net.DialTimeout with no timeout.
// Fix: only let the request timeout shorten the dial timeout when it is set: if (reqTimeout > 0 && reqTimeout < dialTimeout) || dialTimeout == 0.
// Rule: nodeadline
package http1

import (
	"crypto/tls"
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// RequestOptions is the reduced pkg/common/config.RequestOptions.
type RequestOptions struct {
	dialTimeout    time.Duration
	readTimeout    time.Duration
	writeTimeout   time.Duration
	requestTimeout time.Duration
	start          time.Time
}

func (o *RequestOptions) DialTimeout() time.Duration    { return o.dialTimeout }
func (o *RequestOptions) ReadTimeout() time.Duration    { return o.readTimeout }
func (o *RequestOptions) WriteTimeout() time.Duration   { return o.writeTimeout }
func (o *RequestOptions) RequestTimeout() time.Duration { return o.requestTimeout }
func (o *RequestOptions) StartTime() time.Time          { return o.start }

type Request struct {
	options *RequestOptions
	raw     []byte
}

func (r *Request) Options() *RequestOptions { return r.options }

type Response struct {
	StatusLine string
}

type clientConn struct {
	c *Conn
}

// HostClient is the reduced pkg/protocol/http1.HostClient.
type HostClient struct {
	Addr         string
	IsTLS        bool
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	Dialer       *dialer
	tlsConfig    *tls.Config
}

type requestConfig struct {
	dialTimeout  time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration
}

func (c *HostClient) preHandleConfig(o *RequestOptions) requestConfig {
	rc := requestConfig{
		dialTimeout:  c.DialTimeout,
		readTimeout:  c.ReadTimeout,
		writeTimeout: c.WriteTimeout,
	}
	if o.ReadTimeout() > 0 {
		rc.readTimeout = o.ReadTimeout()
	}

	if o.WriteTimeout() > 0 {
		rc.writeTimeout = o.WriteTimeout()
	}

	if o.DialTimeout() > 0 {
		rc.dialTimeout = o.DialTimeout()
	}

	return rc
}

func updateReqTimeout(reqTimeout, compareTimeout time.Duration, before time.Time) (shouldCloseConn bool, timeout time.Duration) {
	if reqTimeout <= 0 {
		return false, compareTimeout
	}
	left := reqTimeout - time.Since(before)
	if left <= 0 {
		return true, 0
	}

	if compareTimeout <= 0 {
		return false, left
	}

	if left > compareTimeout {
		return false, compareTimeout
	}

	return false, left
}

// Do performs the request on the host.
func (c *HostClient) Do(req *Request, resp *Response) error {
	_, err := c.doNonNilReqResp(req, resp)
	return err
}

func (c *HostClient) doNonNilReqResp(req *Request, resp *Response) (bool, error) {
	rc := c.preHandleConfig(req.Options())

	reqTimeout := req.Options().RequestTimeout()
	begin := req.Options().StartTime()

	dialTimeout := rc.dialTimeout
	if (reqTimeout > 0 && reqTimeout < dialTimeout) || dialTimeout == 0 {
		dialTimeout = reqTimeout
	}
	cc, inPool, err := c.acquireConn(dialTimeout)
	// if getting connection error, fast fail
	if err != nil {
		return false, err
	}
	conn := cc.c

	shouldClose, timeout := updateReqTimeout(reqTimeout, rc.writeTimeout, begin)
	if shouldClose {
		_ = conn.Close()
		return false, errTimeout
	}

	if err = conn.SetWriteTimeout(timeout); err != nil {
		_ = conn.Close()
		return true, err
	}
	if _, err = conn.Write(req.raw); err != nil {
		_ = conn.Close()
		return true, err
	}

	shouldClose, timeout = updateReqTimeout(reqTimeout, rc.readTimeout, begin)
	if shouldClose {
		_ = conn.Close()
		return false, errTimeout
	}
	if err = conn.SetReadTimeout(timeout); err != nil {
		_ = conn.Close()
		return true, err
	}
	resp.StatusLine, err = conn.ReadLine()
	_ = conn.Close()
	return inPool, err
}

func (c *HostClient) acquireConn(dialTimeout time.Duration) (cc *clientConn, inPool bool, err error) {
	conn, err := c.dialHostHard(dialTimeout)
	if err != nil {
		return nil, false, err
	}
	return &clientConn{c: conn}, false, nil
}

func (c *HostClient) dialHostHard(dialTimeout time.Duration) (conn *Conn, err error) {
	var tlsConfig *tls.Config
	if c.IsTLS {
		tlsConfig = c.tlsConfig
	}
	return dialAddr(c.Addr, c.Dialer, tlsConfig, dialTimeout)
}

func dialAddr(addr string, dial *dialer, tlsConfig *tls.Config, timeout time.Duration) (*Conn, error) {
	conn, err := dial.DialConnection("tcp", addr, timeout, tlsConfig)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// DefaultDialTimeout mirrors consts.DefaultDialTimeout.
const DefaultDialTimeout = time.Second

// NewHostClient mirrors the defaults applied by client.NewClient (config.NewClientOptions):
// DialTimeout defaults to consts.DefaultDialTimeout; read/write timeouts are set by the caller.
func NewHostClient(addr string, readTimeout, writeTimeout time.Duration) *HostClient {
	return &HostClient{
		Addr:         addr,
		DialTimeout:  DefaultDialTimeout,
		ReadTimeout:  readTimeout,
		WriteTimeout: writeTimeout,
		Dialer:       &dialer{},
	}
}

// Get issues a request without a per-request timeout (RequestTimeout unset).
func Get(addr string) (*Response, error) {
	c := NewHostClient(addr, 10*time.Second, 10*time.Second)
	req := &Request{options: &RequestOptions{start: time.Now()}, raw: []byte("GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")}
	resp := &Response{}
	if err := c.Do(req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}
