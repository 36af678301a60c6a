// Recall case sc-telepresence-connectcanceled
// Source: github.com/telepresenceio/telepresence commit 9242a1b3231d83eeb8412548f6faf49a5840fd5d (pkg/client/rootd/service.go)
// Link: https://github.com/telepresenceio/telepresence/commit/9242a1b3231d83eeb8412548f6faf49a5840fd5d
// Bug: The Connect RPC handler returns an empty success response (nil error) when its ctx is cancelled while handing the request to manageSessions or waiting for its reply, so a cancelled connect looks like a successful one.
// Fix: Both ctx.Done() branches now return a Canceled status error built from ctx.Err().
// Rule: swallowcancel
package rootd

import (
	"context"
	"fmt"
	"log"
	"net"
	"sync"
)

// Empty stands in for emptypb.Empty.
type Empty struct{}

// OutboundInfo stands in for rpc.OutboundInfo.
type OutboundInfo struct {
	ManagerAddr string
}

// Code stands in for grpc codes.Code.
type Code int

const (
	Canceled      Code = 1
	Internal      Code = 13
	AlreadyExists Code = 6
)

type statusErr struct {
	code Code
	msg  string
}

func (e *statusErr) Error() string { return fmt.Sprintf("rpc error: code = %d desc = %s", e.code, e.msg) }

// statusError stands in for status.Error from google.golang.org/grpc/status.
func statusError(c Code, msg string) error { return &statusErr{code: c, msg: msg} }

type session struct {
	conn   net.Conn
	cancel context.CancelFunc
}

func newSession(c context.Context, oi *OutboundInfo) (*session, error) {
	var d net.Dialer
	conn, err := d.DialContext(c, "tcp", oi.ManagerAddr)
	if err != nil {
		return nil, err
	}
	return &session{conn: conn}, nil
}

func (s *session) run(c context.Context) error {
	<-c.Done()
	return s.conn.Close()
}

// service represents the state of the Telepresence Daemon
type service struct {
	quit         context.CancelFunc
	connectCh    chan *OutboundInfo
	connectErrCh chan error
	sessionLock  sync.Mutex
	session      *session
}

func newService() *service {
	return &service{
		connectCh:    make(chan *OutboundInfo),
		connectErrCh: make(chan error),
	}
}

func (d *service) Connect(ctx context.Context, info *OutboundInfo) (*Empty, error) {
	log.Print("Received gRPC Connect")
	d.sessionLock.Lock()
	defer d.sessionLock.Unlock()
	if d.session != nil {
		return nil, statusError(AlreadyExists, "an active session exists")
	}
	select {
	case <-ctx.Done():
		return nil, statusError(Canceled, ctx.Err().Error())
	case d.connectCh <- info:
	}
	select {
	case <-ctx.Done():
		return nil, statusError(Canceled, ctx.Err().Error())
	case err := <-d.connectErrCh:
		if err != nil {
			return nil, statusError(Internal, err.Error())
		}
	}
	return &Empty{}, nil
}

// manageSessions is the counterpart to the Connect method. It reads the connectCh, creates
// a session and writes a reply to the connectErrCh. The session is then started if it was
// successfully created.
func (d *service) manageSessions(c context.Context) error {
	c, d.quit = context.WithCancel(c)
	for {
		var oi *OutboundInfo
		select {
		case <-c.Done():
			return nil
		case oi = <-d.connectCh:
		}

		var err error
		d.session, err = newSession(c, oi)
		select {
		case <-c.Done():
			return nil
		case d.connectErrCh <- err:
		}
		if err != nil {
			continue
		}

		func(c context.Context) {
			defer func() {
				d.sessionLock.Lock()
				d.session = nil
				d.sessionLock.Unlock()
			}()
			c, d.session.cancel = context.WithCancel(c)
			if err := d.session.run(c); err != nil {
				log.Print(err)
			}
		}(c)
	}
}
