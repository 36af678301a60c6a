// Recall case sc-goplugin-stdio-canceled
// Source: github.com/hashicorp/go-plugin commit 96ec24e56a99f744b83d9669d43294a0a5136f7d (grpc_stdio.go)
// Link: https://github.com/hashicorp/go-plugin/commit/96ec24e56a99f744b83d9669d43294a0a5136f7d
// Bug: grpcStdioClient.Run only stops on io.EOF, codes.Unavailable or err == context.Canceled; when doneCtx is cancelled gRPC's Recv returns a status error with codes.Canceled, which is logged and the loop continues, spinning on the cancelled stream forever.
// Fix: Run also exits the recv loop when status.Code(err) == codes.Canceled.
// Rule: swallowcancel
package plugin

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"time"
)

// ---------------- grpc_client.go ----------------

// Client is the reduced plugin Client: only what newGRPCClient uses.
type Client struct {
	config  *ClientConfig
	address net.Addr
	logger  *log.Logger
}

type ClientConfig struct {
	SyncStdout   io.Writer
	SyncStderr   io.Writer
	StartTimeout time.Duration
}

// dialer mirrors Client.dialer: dial the plugin's socket with a timeout.
func (c *Client) dialer(_ string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout(c.address.Network(), c.address.String(), timeout)
}

func dialGRPCConn(dialer func(string, time.Duration) (net.Conn, error), timeout time.Duration) (*ClientConn, error) {
	conn, err := dialer("unused", timeout)
	if err != nil {
		return nil, err
	}

	return &ClientConn{conn: conn}, nil
}

// newGRPCClient creates a new GRPCClient. doneCtx is cancelled when the
// plugin client is killed.
func newGRPCClient(doneCtx context.Context, c *Client) (*GRPCClient, error) {
	conn, err := dialGRPCConn(c.dialer, c.config.StartTimeout)
	if err != nil {
		return nil, err
	}

	// Start the stdio client
	stdioClient, err := newGRPCStdioClient(doneCtx, c.logger, conn)
	if err != nil {
		return nil, err
	}
	go stdioClient.Run(c.config.SyncStdout, c.config.SyncStderr)

	return &GRPCClient{Conn: conn, doneCtx: doneCtx}, nil
}

type GRPCClient struct {
	Conn    *ClientConn
	doneCtx context.Context
}

// ---------------- grpc_stdio.go ----------------

type grpcStdioClient struct {
	log         *log.Logger
	stdioClient *stdioStreamClient
}

// newGRPCStdioClient creates a grpcStdioClient. This will perform the
// initial connection to the stdio service. If the stdio service is unavailable
// then this will be a no-op.
func newGRPCStdioClient(
	ctx context.Context,
	log *log.Logger,
	conn *ClientConn,
) (*grpcStdioClient, error) {
	client := NewGRPCStdioClient(conn)

	// Connect immediately to the endpoint
	stdioClient, err := client.StreamStdio(ctx)

	// If we get an Unavaiable error, this means that the plugin isn't
	// updated and linking to the latest version of go-plugin that supports
	// this. We fall back to the previous behavior of just not syncing anything.
	if statusCode(err) == codesUnavailable {
		log.Print("[WARN] stdio service not available, stdout/stderr syncing unavailable")
		stdioClient = nil
		err = nil
	}
	if err != nil {
		return nil, err
	}

	return &grpcStdioClient{
		log:         log,
		stdioClient: stdioClient,
	}, nil
}

// Run starts the loop that receives stdio data and writes it to the given
// writers. This blocks and should be run in a goroutine.
func (c *grpcStdioClient) Run(stdout, stderr io.Writer) {
	// This will be nil if stdio is not supported by the plugin
	if c.stdioClient == nil {
		c.log.Print("[WARN] stdio service unavailable, run will do nothing")
		return
	}

	for {
		data, err := c.stdioClient.Recv()
		if err != nil {
			if err == io.EOF ||
				statusCode(err) == codesUnavailable ||
				err == context.Canceled {
				c.log.Printf("[WARN] received EOF, stopping recv loop: %v", err)
				return
			}

			c.log.Printf("[ERROR] error receiving data: %v", err)
			continue
		}

		// Determine our output writer based on channel
		var w io.Writer
		switch data.Channel {
		case StdioDataSTDOUT:
			w = stdout

		case StdioDataSTDERR:
			w = stderr

		default:
			c.log.Printf("[WARN] unknown channel, dropping: %d", data.Channel)
			continue
		}

		// Write! In the event of an error we just continue.
		if _, err := io.Copy(w, bytes.NewReader(data.Data)); err != nil {
			c.log.Printf("[ERROR] failed to copy all bytes: %v", err)
		}
	}
}

// ---------------- stub of google.golang.org/grpc + internal/plugin ----------------

// ClientConn stands in for *grpc.ClientConn: one framed stream on a net.Conn.
type ClientConn struct {
	conn net.Conn
}

type code int

const (
	codesOK          code = 0
	codesCanceled    code = 1
	codesUnavailable code = 14
)

// statusError mirrors grpc's *status.Error: it carries a code and a message,
// and (like grpc-go of that era) does not wrap context.Canceled.
type statusError struct {
	code code
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// statusCode mirrors status.Code.
func statusCode(err error) code {
	if err == nil {
		return codesOK
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return -1
}

const (
	StdioDataSTDOUT int32 = 1
	StdioDataSTDERR int32 = 2
)

type StdioData struct {
	Channel int32
	Data    []byte
}

type GRPCStdioClient struct {
	cc *ClientConn
}

func NewGRPCStdioClient(cc *ClientConn) *GRPCStdioClient { return &GRPCStdioClient{cc: cc} }

type stdioStreamClient struct {
	ctx  context.Context
	conn net.Conn
}

// StreamStdio opens the server-streaming call. As in grpc-go, cancelling ctx
// resets the stream: here that is done by expiring the read deadline.
func (c *GRPCStdioClient) StreamStdio(ctx context.Context) (*stdioStreamClient, error) {
	if _, err := c.cc.conn.Write([]byte("/plugin.GRPCStdio/StreamStdio\n")); err != nil {
		return nil, &statusError{code: codesUnavailable, msg: err.Error()}
	}
	context.AfterFunc(ctx, func() {
		_ = c.cc.conn.SetReadDeadline(time.Unix(1, 0))
	})
	return &stdioStreamClient{ctx: ctx, conn: c.cc.conn}, nil
}

// Recv reads one length-prefixed StdioData frame. After ctx is cancelled it
// returns status.Error(codes.Canceled, "context canceled") on every call.
func (s *stdioStreamClient) Recv() (*StdioData, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(s.conn, hdr[:]); err != nil {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return nil, &statusError{code: codesCanceled, msg: ctxErr.Error()}
		}
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, &statusError{code: codesUnavailable, msg: err.Error()}
	}
	data := &StdioData{
		Channel: int32(binary.BigEndian.Uint32(hdr[:4])),
		Data:    make([]byte, binary.BigEndian.Uint32(hdr[4:])),
	}
	if _, err := io.ReadFull(s.conn, data.Data); err != nil {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return nil, &statusError{code: codesCanceled, msg: ctxErr.Error()}
		}
		return nil, &statusError{code: codesUnavailable, msg: err.Error()}
	}
	return data, nil
}
