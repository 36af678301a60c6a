// Recall case nd-datadog-go-uds
// Source: github.com/DataDog/datadog-go commit e33f9c91412017ba02baa7249f1008fa3ee9ea9f (statsd/uds.go)
// Link: https://github.com/DataDog/datadog-go/commit/e33f9c91412017ba02baa7249f1008fa3ee9ea9f
// Bug: udsWriter.tryToDial uses net.Dial with no timeout, and on unix streams writeFull clears the write deadline (SetWriteDeadline(time.Time{})) after the first bytes, so udsWriter.Write can block forever on a stalled agent socket
// Fix: dial with net.DialTimeout(..., w.connectTimeout) and, after the length prefix, re-arm SetWriteDeadline(time.Now().Add(w.connectTimeout)) instead of clearing it
// Rule: nodeadline
package statsd

import (
	"errors"
	"strings"
	"time"
)

// Reduced from statsd/statsd.go and statsd/options.go (UDS writers only).

const (
	UnixAddressPrefix         = "unix://"
	UnixAddressDatagramPrefix = "unixgram://"
	UnixAddressStreamPrefix   = "unixstream://"
)

const (
	writerNameUDS       string = "uds"
	writerNameUDSStream string = "uds-stream"
)

var defaultWriteTimeout = 100 * time.Millisecond

// Options contains the configuration options for a client.
type Options struct {
	writeTimeout time.Duration
}

// Option is a client option.
type Option func(*Options) error

func resolveOptions(options []Option) (*Options, error) {
	o := &Options{
		writeTimeout: defaultWriteTimeout,
	}
	for _, option := range options {
		if err := option(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// WithWriteTimeout sets the timeout for network communication with the Agent.
func WithWriteTimeout(writeTimeout time.Duration) Option {
	return func(o *Options) error {
		o.writeTimeout = writeTimeout
		return nil
	}
}

func createWriter(addr string, writeTimeout time.Duration) (*udsWriter, string, error) {
	switch {
	case strings.HasPrefix(addr, UnixAddressPrefix):
		w, err := newUDSWriter(addr[len(UnixAddressPrefix):], writeTimeout, "")
		return w, writerNameUDS, err
	case strings.HasPrefix(addr, UnixAddressDatagramPrefix):
		w, err := newUDSWriter(addr[len(UnixAddressDatagramPrefix):], writeTimeout, "unixgram")
		return w, writerNameUDS, err
	case strings.HasPrefix(addr, UnixAddressStreamPrefix):
		w, err := newUDSWriter(addr[len(UnixAddressStreamPrefix):], writeTimeout, "unix")
		return w, writerNameUDS, err
	default:
		return nil, "", errors.New("only unix:// addresses are kept in this reduction")
	}
}

// Client sends metrics to the Agent.
type Client struct {
	writer     *udsWriter
	writerName string
}

// New returns a pointer to a new Client given an addr in the format "unix:///path/to/socket".
func New(addr string, options ...Option) (*Client, error) {
	o, err := resolveOptions(options)
	if err != nil {
		return nil, err
	}
	w, writerType, err := createWriter(addr, o.writeTimeout)
	if err != nil {
		return nil, err
	}
	return &Client{writer: w, writerName: writerType}, nil
}

// Flush sends one payload to the Agent (stands in for the sender/worker pipeline).
func (c *Client) Flush(payload []byte) error {
	_, err := c.writer.Write(payload)
	return err
}

// Close closes the connection to the Agent.
func (c *Client) Close() error {
	return c.writer.Close()
}
