// Recall case tl-pgx-copyfrom
// Source: github.com/jackc/pgx commit 67f2418279fabea76c16c3b613b9893a3b86e7d8 (pgconn.go)
// Link: https://github.com/jackc/pgx/commit/67f2418279fabea76c16c3b613b9893a3b86e7d8
// Bug: CopyFrom's data-sending goroutine reports its write/read error on the unbuffered copyErrChan, but when the main loop returns early (the ctx watcher expired the conn deadline and receiveMessage failed, or the server sent an ErrorResponse) nobody ever receives, so the goroutine blocks forever and leaks.
// Fix: copyErrChan is created buffered (make(chan error, 1)) so the goroutine can always deliver its error and terminate.
// Rule: timeoutleak
package pgconn

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// --- minimal stand-in for internal/ctxwatch ---

// ContextWatcher watches a context and performs an action when the context is canceled.
type ContextWatcher struct {
	onCancel             func()
	onUnwatchAfterCancel func()
	unwatchChan          chan struct{}
	watchInProgress      bool
	onCancelWasCalled    bool
}

func NewContextWatcher(onCancel func(), onUnwatchAfterCancel func()) *ContextWatcher {
	return &ContextWatcher{
		onCancel:             onCancel,
		onUnwatchAfterCancel: onUnwatchAfterCancel,
		unwatchChan:          make(chan struct{}),
	}
}

func (cw *ContextWatcher) Watch(ctx context.Context) {
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

func (cw *ContextWatcher) Unwatch() {
	if cw.watchInProgress {
		cw.unwatchChan <- struct{}{}
		if cw.onCancelWasCalled {
			cw.onUnwatchAfterCancel()
		}
		cw.watchInProgress = false
	}
}

// --- minimal stand-in for pgproto3 ---

type BackendMessage interface{ backend() }

type CopyInResponse struct{}
type ReadyForQuery struct{ TxStatus byte }
type CommandComplete struct{ CommandTag []byte }
type ErrorResponse struct{ Severity, Message string }

func (*CopyInResponse) backend()  {}
func (*ReadyForQuery) backend()   {}
func (*CommandComplete) backend() {}
func (*ErrorResponse) backend()   {}

type Frontend struct{ r io.Reader }

func (f *Frontend) Receive() (BackendMessage, error) {
	var header [5]byte
	if _, err := io.ReadFull(f.r, header[:]); err != nil {
		return nil, err
	}
	body := make([]byte, int(binary.BigEndian.Uint32(header[1:]))-4)
	if _, err := io.ReadFull(f.r, body); err != nil {
		return nil, err
	}
	switch header[0] {
	case 'G':
		return &CopyInResponse{}, nil
	case 'Z':
		return &ReadyForQuery{TxStatus: body[0]}, nil
	case 'C':
		return &CommandComplete{CommandTag: body}, nil
	case 'E':
		return &ErrorResponse{Severity: "ERROR", Message: string(body)}, nil
	}
	return nil, errors.New("unknown message type")
}

func encodeMsg(buf []byte, typ byte, body []byte) []byte {
	buf = append(buf, typ, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(buf[len(buf)-4:], uint32(len(body)+4))
	return append(buf, body...)
}

// --- pgconn.go (reduced) ---

const (
	connStatusUninitialized = iota
	connStatusClosed
	connStatusIdle
	connStatusBusy
)

type CommandTag []byte

type PgError struct{ Severity, Message string }

func (pe *PgError) Error() string { return pe.Severity + ": " + pe.Message }

func ErrorResponseToPgError(msg *ErrorResponse) *PgError {
	return &PgError{Severity: msg.Severity, Message: msg.Message}
}

type contextAlreadyDoneError struct{ err error }

func (e *contextAlreadyDoneError) Error() string { return "context already done: " + e.err.Error() }

type writeError struct {
	err         error
	safeToRetry bool
}

func (e *writeError) Error() string { return "write failed: " + e.err.Error() }

type connLockError struct{ status string }

func (e *connLockError) Error() string { return e.status }

type PgConn struct {
	conn     net.Conn
	txStatus byte
	frontend *Frontend

	status byte // One of connStatus* constants

	bufferingReceive    bool
	bufferingReceiveMux sync.Mutex
	bufferingReceiveMsg BackendMessage
	bufferingReceiveErr error

	contextWatcher *ContextWatcher

	wbuf []byte
}

func Connect(ctx context.Context, network, address string) (*PgConn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	pgConn := &PgConn{conn: conn, status: connStatusIdle, frontend: &Frontend{r: conn}}
	pgConn.contextWatcher = NewContextWatcher(
		func() { pgConn.conn.SetDeadline(time.Date(1, 1, 1, 1, 1, 1, 1, time.UTC)) },
		func() { pgConn.conn.SetDeadline(time.Time{}) },
	)
	return pgConn, nil
}

func (pgConn *PgConn) lock() error {
	switch pgConn.status {
	case connStatusBusy:
		return &connLockError{status: "conn busy"}
	case connStatusClosed:
		return &connLockError{status: "conn closed"}
	case connStatusUninitialized:
		return &connLockError{status: "conn uninitialized"}
	}
	pgConn.status = connStatusBusy
	return nil
}

func (pgConn *PgConn) unlock() {
	switch pgConn.status {
	case connStatusBusy:
		pgConn.status = connStatusIdle
	case connStatusClosed:
	default:
		panic("BUG: cannot unlock unlocked connection")
	}
}

func (pgConn *PgConn) signalMessage() chan struct{} {
	if pgConn.bufferingReceive {
		panic("BUG: signalMessage when already in progress")
	}

	pgConn.bufferingReceive = true
	pgConn.bufferingReceiveMux.Lock()

	ch := make(chan struct{})
	go func() {
		pgConn.bufferingReceiveMsg, pgConn.bufferingReceiveErr = pgConn.frontend.Receive()
		pgConn.bufferingReceiveMux.Unlock()
		close(ch)
	}()

	return ch
}

func (pgConn *PgConn) receiveMessage() (BackendMessage, error) {
	var msg BackendMessage
	var err error
	if pgConn.bufferingReceive {
		pgConn.bufferingReceiveMux.Lock()
		msg = pgConn.bufferingReceiveMsg
		err = pgConn.bufferingReceiveErr
		pgConn.bufferingReceiveMux.Unlock()
		pgConn.bufferingReceive = false

		// If a timeout error happened in the background try the read again.
		if netErr, ok := err.(net.Error); ok && netErr.Timeout() {
			msg, err = pgConn.frontend.Receive()
		}
	} else {
		msg, err = pgConn.frontend.Receive()
	}

	if err != nil {
		// Close on anything other than timeout error - everything else is fatal
		if err, ok := err.(net.Error); !(ok && err.Timeout()) {
			pgConn.asyncClose()
		}

		return nil, err
	}

	switch msg := msg.(type) {
	case *ReadyForQuery:
		pgConn.txStatus = msg.TxStatus
	case *ErrorResponse:
		if msg.Severity == "FATAL" {
			pgConn.asyncClose()
			return nil, ErrorResponseToPgError(msg)
		}
	}

	return msg, nil
}

func (pgConn *PgConn) asyncClose() {
	if pgConn.status == connStatusClosed {
		return
	}
	pgConn.status = connStatusClosed

	go func() {
		defer pgConn.conn.Close()

		deadline := time.Now().Add(time.Second * 15)
		pgConn.conn.SetDeadline(deadline)

		pgConn.conn.Write([]byte{'X', 0, 0, 0, 4})
		pgConn.conn.Read(make([]byte, 1))
	}()
}

// CopyFrom executes the copy command sql and copies all of r to the PostgreSQL server.
func (pgConn *PgConn) CopyFrom(ctx context.Context, r io.Reader, sql string) (CommandTag, error) {
	if err := pgConn.lock(); err != nil {
		return nil, err
	}
	defer pgConn.unlock()

	if ctx != context.Background() {
		select {
		case <-ctx.Done():
			return nil, &contextAlreadyDoneError{err: ctx.Err()}
		default:
		}
		pgConn.contextWatcher.Watch(ctx)
		defer pgConn.contextWatcher.Unwatch()
	}

	// Send copy to command
	buf := pgConn.wbuf[:0]
	buf = encodeMsg(buf, 'Q', append([]byte(sql), 0))

	n, err := pgConn.conn.Write(buf)
	if err != nil {
		pgConn.asyncClose()
		return nil, &writeError{err: err, safeToRetry: n == 0}
	}

	// Read until copy in response or error.
	var commandTag CommandTag
	var pgErr error
	pendingCopyInResponse := true
	for pendingCopyInResponse {
		msg, err := pgConn.receiveMessage()
		if err != nil {
			pgConn.asyncClose()
			return nil, err
		}

		switch msg := msg.(type) {
		case *CopyInResponse:
			pendingCopyInResponse = false
		case *ErrorResponse:
			pgErr = ErrorResponseToPgError(msg)
		case *ReadyForQuery:
			return commandTag, pgErr
		}
	}

	// Send copy data
	abortCopyChan := make(chan struct{})
	copyErrChan := make(chan error, 1)
	signalMessageChan := pgConn.signalMessage()

	go func() {
		buf := make([]byte, 0, 65536)
		buf = append(buf, 'd')
		sp := len(buf)

		for {
			n, readErr := r.Read(buf[5:cap(buf)])
			if n > 0 {
				buf = buf[0 : n+5]
				binary.BigEndian.PutUint32(buf[sp:], uint32(n+4))

				_, writeErr := pgConn.conn.Write(buf)
				if writeErr != nil {
					copyErrChan <- writeErr
					return
				}
			}
			if readErr != nil {
				copyErrChan <- readErr
				return
			}

			select {
			case <-abortCopyChan:
				return
			default:
			}
		}
	}()

	var copyErr error
	for copyErr == nil && pgErr == nil {
		select {
		case copyErr = <-copyErrChan:
		case <-signalMessageChan:
			msg, err := pgConn.receiveMessage()
			if err != nil {
				pgConn.asyncClose()
				return nil, err
			}

			switch msg := msg.(type) {
			case *ErrorResponse:
				pgErr = ErrorResponseToPgError(msg)
			default:
				signalMessageChan = pgConn.signalMessage()
			}
		default:
		}
	}
	close(abortCopyChan)

	buf = buf[:0]
	if copyErr == io.EOF || pgErr != nil {
		buf = encodeMsg(buf, 'c', nil) // CopyDone
	} else {
		buf = encodeMsg(buf, 'f', append([]byte(copyErr.Error()), 0)) // CopyFail
	}
	_, err = pgConn.conn.Write(buf)
	if err != nil {
		pgConn.asyncClose()
		return nil, err
	}

	// Read results
	for {
		msg, err := pgConn.receiveMessage()
		if err != nil {
			pgConn.asyncClose()
			return nil, err
		}

		switch msg := msg.(type) {
		case *ReadyForQuery:
			return commandTag, pgErr
		case *CommandComplete:
			commandTag = CommandTag(msg.CommandTag)
		case *ErrorResponse:
			pgErr = ErrorResponseToPgError(msg)
		}
	}
}
