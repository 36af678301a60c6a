// Recall case tl-cloudflared-sessionclose
// Source: github.com/cloudflare/cloudflared commit bc9c5d2e6ee75ee826986c62b84724a6ab043723 (quic/v3/session.go)
// Link: https://github.com/cloudflare/cloudflared/commit/bc9c5d2e6ee75ee826986c62b84724a6ab043723
// Bug: when waitForCloseCondition returns on the idle timer (or ctx.Done), its deferred session.Close fills the 1-slot closeChan, then origin.Close makes the Serve read goroutine fail and block forever on `s.closeChan <- err` since nobody reads closeChan any more.
// Fix: NewSession makes closeChan with capacity 2 so both writers (closeFn and the Serve read goroutine) can send without blocking.
// Rule: timeoutleak
package v3session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// A default is provided in the case that the client does not provide a close idle timeout.
	defaultCloseIdleAfter = 210 * time.Second

	maxOriginUDPPacketSize = 1500

	DatagramPayloadHeaderLen = 17
	maxDatagramPayloadLen    = 1280
)

// SessionCloseErr indicates that the session's Close method was called.
var SessionCloseErr error = errors.New("flow was closed directly")

// SessionIdleErr is returned when the session was closed because there was no communication
// in either direction over the session for the timeout period.
type SessionIdleErr struct {
	timeout time.Duration
}

func (e SessionIdleErr) Error() string {
	return fmt.Sprintf("flow was idle for %v", e.timeout)
}

func newSessionIdleErr(timeout time.Duration) error {
	return SessionIdleErr{timeout}
}

type RequestID [16]byte

// DatagramConn is the eyeball side (the QUIC connection to the edge).
type DatagramConn interface {
	ID() uint8
	SendUDPSessionDatagram(datagram []byte) error
}

// quicDatagramConn mirrors quic-go's Connection.SendDatagram: the datagram is
// queued without blocking and dropped when the queue is full.
type quicDatagramConn struct {
	id    uint8
	queue chan []byte
}

var errDatagramQueueFull = errors.New("datagram queue full")

func (c *quicDatagramConn) ID() uint8 { return c.id }

func (c *quicDatagramConn) SendUDPSessionDatagram(datagram []byte) error {
	buf := append([]byte(nil), datagram...)
	select {
	case c.queue <- buf:
		return nil
	default:
		return errDatagramQueueFull
	}
}

type Session interface {
	io.WriteCloser
	ID() RequestID
	RemoteAddr() net.Addr
	ResetIdleTimer()
	// Serve starts the event loop for processing UDP packets
	Serve(ctx context.Context) error
}

type session struct {
	id             RequestID
	closeAfterIdle time.Duration
	origin         io.ReadWriteCloser
	originAddr     net.Addr
	eyeball        atomic.Pointer[DatagramConn]
	// activeAtChan is used to communicate the last read/write time
	activeAtChan chan time.Time
	closeChan    chan error
	log          *log.Logger

	// A special close function that we wrap with sync.Once to make sure it is only called once
	closeFn func() error
}

func NewSession(
	id RequestID,
	closeAfterIdle time.Duration,
	origin io.ReadWriteCloser,
	originAddr net.Addr,
	eyeball DatagramConn,
	logger *log.Logger,
) Session {
	closeChan := make(chan error, 1)
	session := &session{
		id:             id,
		closeAfterIdle: closeAfterIdle,
		origin:         origin,
		originAddr:     originAddr,
		eyeball:        atomic.Pointer[DatagramConn]{},
		// activeAtChan has low capacity. It can be full when there are many concurrent read/write. markActive() will
		// drop instead of blocking because last active time only needs to be an approximation
		activeAtChan: make(chan time.Time, 1),
		closeChan:    closeChan,
		log:          logger,
		closeFn: sync.OnceValue(func() error {
			// We don't want to block on sending to the close channel if it is already full
			select {
			case closeChan <- SessionCloseErr:
			default:
			}
			return origin.Close()
		}),
	}
	session.eyeball.Store(&eyeball)
	return session
}

func (s *session) ID() RequestID {
	return s.id
}

func (s *session) RemoteAddr() net.Addr {
	return s.originAddr
}

func (s *session) Serve(ctx context.Context) error {
	go func() {
		readBuffer := [maxOriginUDPPacketSize + DatagramPayloadHeaderLen]byte{}
		copy(readBuffer[:16], s.id[:])
		for {
			// Read from the origin UDP socket
			n, err := s.origin.Read(readBuffer[DatagramPayloadHeaderLen:])
			if err != nil {
				if errors.Is(err, io.EOF) ||
					errors.Is(err, io.ErrUnexpectedEOF) {
					s.log.Printf("flow (origin) connection closed: %v", err)
				}
				s.closeChan <- err
				return
			}
			if n < 0 {
				s.log.Printf("flow (origin) packet read was negative and was dropped")
				continue
			}
			if n > maxDatagramPayloadLen {
				s.log.Printf("flow (origin) packet read was too large and was dropped")
				continue
			}
			eyeball := *(s.eyeball.Load())
			err = eyeball.SendUDPSessionDatagram(readBuffer[:DatagramPayloadHeaderLen+n])
			if err != nil {
				s.closeChan <- err
				return
			}
			// Mark the session as active since we proxied a valid packet from the origin.
			s.markActive()
		}
	}()
	return s.waitForCloseCondition(ctx, s.closeAfterIdle)
}

func (s *session) Write(payload []byte) (n int, err error) {
	n, err = s.origin.Write(payload)
	if err != nil {
		s.log.Printf("failed to write payload to flow (remote): %v", err)
		return n, err
	}
	// Write must return a non-nil error if it returns n < len(p). https://pkg.go.dev/io#Writer
	if n < len(payload) {
		return n, io.ErrShortWrite
	}
	// Mark the session as active since we proxied a packet to the origin.
	s.markActive()
	return n, err
}

// ResetIdleTimer will restart the current idle timer.
func (s *session) ResetIdleTimer() {
	s.markActive()
}

// Sends the last active time to the idle checker loop without blocking. activeAtChan will only be full when there
// are many concurrent read/write. It is fine to lose some precision
func (s *session) markActive() {
	select {
	case s.activeAtChan <- time.Now():
	default:
	}
}

func (s *session) Close() error {
	// Make sure that we only close the origin connection once
	return s.closeFn()
}

func (s *session) waitForCloseCondition(ctx context.Context, closeAfterIdle time.Duration) error {
	connCtx := ctx
	// Closing the session at the end cancels read so Serve() can return
	defer s.Close()
	if closeAfterIdle == 0 {
		// provide deafult is caller doesn't specify one
		closeAfterIdle = defaultCloseIdleAfter
	}

	checkIdleTimer := time.NewTimer(closeAfterIdle)
	defer checkIdleTimer.Stop()

	for {
		select {
		case <-connCtx.Done():
			return connCtx.Err()
		case reason := <-s.closeChan:
			return reason
		case <-checkIdleTimer.C:
			// The check idle timer will only return after an idle period since the last active
			// operation (read or write).
			return newSessionIdleErr(closeAfterIdle)
		case <-s.activeAtChan:
			// The session is still active, we want to reset the timer. First we have to stop the timer, drain the
			// current value and then reset. It's okay if we lose some time on this operation as we don't need to
			// close an idle session directly on-time.
			if !checkIdleTimer.Stop() {
				<-checkIdleTimer.C
			}
			checkIdleTimer.Reset(closeAfterIdle)
		}
	}
}
