// Recall case nd-rocketmq-conn-deadline
// Source: github.com/apache/rocketmq-client-go commit b3ce4dc06a3006cf1426134e9ca9fa3bf0aa7dc1 (internal/remote/remote_client.go, internal/remote/tcp_conn.go)
// Link: https://github.com/apache/rocketmq-client-go/commit/b3ce4dc06a3006cf1426134e9ca9fa3bf0aa7dc1
// Bug: remotingClient.doRequest writes to the broker TCP conn and receiveResponse blocks in io.ReadFull with no read/write deadline, so a crashed broker blocks socket ops (and the conn lock) forever.
// Fix: set SetWriteDeadline(now+60s) before request.WriteTo and SetReadDeadline(now+60s) before each header read; enable TCP keep-alive on the dialer.
// Rule: nodeadline
package remote

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
)

var ErrRequestTimeout = errors.New("request timeout")

// RemotingCommand is the reduced wire command.
type RemotingCommand struct {
	Code   int16
	Opaque int32
	Flag   int32
	Body   []byte
}

func (command *RemotingCommand) isResponseType() bool {
	return command.Flag&1 == 1
}

// WriteTo encodes the frame: frame_size | header_length | header | body.
// (Upstream returns only error; the count is added so that go vet's stdmethods check passes.)
func (command *RemotingCommand) WriteTo(w io.Writer) (int64, error) {
	header := make([]byte, 10)
	binary.BigEndian.PutUint16(header[0:2], uint16(command.Code))
	binary.BigEndian.PutUint32(header[2:6], uint32(command.Opaque))
	binary.BigEndian.PutUint32(header[6:10], uint32(command.Flag))

	frameSize := 4 + len(header) + len(command.Body)
	if err := binary.Write(w, binary.BigEndian, int32(frameSize)); err != nil {
		return 0, err
	}
	if err := binary.Write(w, binary.BigEndian, int32(len(header))); err != nil {
		return 4, err
	}
	n, err := w.Write(header)
	if err != nil {
		return int64(8 + n), err
	}
	m, err := w.Write(command.Body)
	return int64(8 + n + m), err
}

func decode(buf []byte) (*RemotingCommand, error) {
	if len(buf) < 14 {
		return nil, errors.New("short frame")
	}
	headerLen := int(binary.BigEndian.Uint32(buf[0:4]))
	if headerLen < 10 || 4+headerLen > len(buf) {
		return nil, errors.New("bad header length")
	}
	h := buf[4 : 4+headerLen]
	return &RemotingCommand{
		Code:   int16(binary.BigEndian.Uint16(h[0:2])),
		Opaque: int32(binary.BigEndian.Uint32(h[2:6])),
		Flag:   int32(binary.BigEndian.Uint32(h[6:10])),
		Body:   buf[4+headerLen:],
	}, nil
}

// ResponseFuture
type ResponseFuture struct {
	ResponseCommand *RemotingCommand
	Err             error
	Opaque          int32
	Done            chan bool
	ctx             context.Context
}

func NewResponseFuture(ctx context.Context, opaque int32) *ResponseFuture {
	return &ResponseFuture{
		Opaque: opaque,
		Done:   make(chan bool),
		ctx:    ctx,
	}
}

func (r *ResponseFuture) waitResponse() (*RemotingCommand, error) {
	var (
		cmd *RemotingCommand
		err error
	)
	select {
	case <-r.Done:
		cmd, err = r.ResponseCommand, r.Err
	case <-r.ctx.Done():
		err = ErrRequestTimeout
		r.Err = err
	}
	return cmd, err
}

type tcpConnWrapper struct {
	net.Conn
	sync.Mutex
	closed atomic.Bool
}

func initConn(ctx context.Context, addr string) (*tcpConnWrapper, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &tcpConnWrapper{
		Conn: conn,
	}, nil
}

func (wrapper *tcpConnWrapper) destroy() error {
	wrapper.closed.Swap(true)
	return wrapper.Conn.Close()
}

func (wrapper *tcpConnWrapper) isClosed(err error) bool {
	if !wrapper.closed.Load() {
		return false
	}
	return errors.Is(err, net.ErrClosed)
}

type remotingClient struct {
	responseTable    sync.Map
	connectionTable  sync.Map
	connectionLocker sync.Mutex
}

func NewRemotingClient() *remotingClient {
	return &remotingClient{}
}

func (c *remotingClient) InvokeSync(ctx context.Context, addr string, request *RemotingCommand) (*RemotingCommand, error) {
	conn, err := c.connect(ctx, addr)
	if err != nil {
		return nil, err
	}
	resp := NewResponseFuture(ctx, request.Opaque)
	c.responseTable.Store(resp.Opaque, resp)
	defer c.responseTable.Delete(request.Opaque)
	err = c.sendRequest(conn, request)
	if err != nil {
		return nil, err
	}
	return resp.waitResponse()
}

func (c *remotingClient) InvokeOneWay(ctx context.Context, addr string, request *RemotingCommand) error {
	conn, err := c.connect(ctx, addr)
	if err != nil {
		return err
	}
	return c.sendRequest(conn, request)
}

func (c *remotingClient) connect(ctx context.Context, addr string) (*tcpConnWrapper, error) {
	//it needs additional locker.
	c.connectionLocker.Lock()
	defer c.connectionLocker.Unlock()
	conn, ok := c.connectionTable.Load(addr)
	if ok {
		return conn.(*tcpConnWrapper), nil
	}
	tcpConn, err := initConn(ctx, addr)
	if err != nil {
		return nil, err
	}
	c.connectionTable.Store(addr, tcpConn)
	go c.receiveResponse(tcpConn)
	return tcpConn, nil
}

func (c *remotingClient) receiveResponse(r *tcpConnWrapper) {
	var err error
	header := make([]byte, 4)
	for {
		if err != nil {
			// conn has been closed actively
			if r.isClosed(err) {
				return
			}
			if err != io.EOF {
				log.Printf("conn error, close connection: %v", err)
			}
			c.closeConnection(r)
			r.destroy()
			break
		}

		_, err = io.ReadFull(r, header)
		if err != nil {
			continue
		}

		var length int32
		err = binary.Read(bytes.NewReader(header), binary.BigEndian, &length)
		if err != nil {
			continue
		}

		buf := make([]byte, length)

		_, err = io.ReadFull(r, buf)
		if err != nil {
			continue
		}

		cmd, err := decode(buf)
		if err != nil {
			log.Printf("decode RemotingCommand error: %v", err)
			continue
		}
		c.processCMD(cmd, r)
	}
}

func (c *remotingClient) processCMD(cmd *RemotingCommand, r *tcpConnWrapper) {
	if cmd.isResponseType() {
		resp, exist := c.responseTable.Load(cmd.Opaque)
		if exist {
			c.responseTable.Delete(cmd.Opaque)
			responseFuture := resp.(*ResponseFuture)
			go func() {
				responseFuture.ResponseCommand = cmd
				close(responseFuture.Done)
			}()
		}
	}
}

func (c *remotingClient) sendRequest(conn *tcpConnWrapper, request *RemotingCommand) error {
	return c.doRequest(conn, request)
}

func (c *remotingClient) doRequest(conn *tcpConnWrapper, request *RemotingCommand) error {
	conn.Lock()
	defer conn.Unlock()
	_, err := request.WriteTo(conn)
	if err != nil {
		c.closeConnection(conn)
		return err
	}
	return nil
}

func (c *remotingClient) closeConnection(toCloseConn *tcpConnWrapper) {
	c.connectionTable.Range(func(key, value any) bool {
		if value == toCloseConn {
			c.connectionTable.Delete(key)
			return false
		}
		return true
	})
}
