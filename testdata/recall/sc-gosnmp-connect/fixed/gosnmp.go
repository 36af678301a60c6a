// Recall case sc-gosnmp-connect
// Source: github.com/gosnmp/gosnmp commit 20ed6eca6203071c59560121a343100a55b199aa (gosnmp.go)
// Link: https://github.com/gosnmp/gosnmp/commit/20ed6eca6203071c59560121a343100a55b199aa
// Bug: connect wraps the netConnect error (a DialContext on x.Context) with fmt.Errorf("...: %s", err.Error()), so when the caller's x.Context is cancelled or times out, context.Canceled / DeadlineExceeded is flattened to text and errors.Is on the result fails.
// Fix: the error is wrapped with %w instead of %s err.Error().
// Rule: swallowcancel
package gosnmp

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"math"
	"math/big"
	"net"
	"strconv"
	"sync"
	"time"
)

const udp = "udp"

type GoSNMP struct {
	mu sync.Mutex

	// Conn is net connection to use, typically established using GoSNMP.Connect().
	Conn net.Conn

	// Target is an ipv4 address.
	Target string

	// Port is a port.
	Port uint16

	// Transport is the transport protocol to use ("udp" or "tcp"); if unset "udp" will be used.
	Transport string

	// Context allows for overall deadlines and cancellation.
	Context context.Context

	// Timeout is the timeout for one SNMP request/response.
	Timeout time.Duration

	// UseUnconnectedUDPSocket if set, changes net.Conn to be unconnected UDP socket.
	UseUnconnectedUDPSocket bool

	Logger *log.Logger

	uaddr     *net.UDPAddr
	random    uint32
	msgID     uint32
	requestID uint32
}

// Connect creates and opens a socket. Because UDP is a connectionless
// protocol, you won't know if the remote host is responding until you send
// packets. Neither will you know if the host is regularly disappearing and reappearing.
func (x *GoSNMP) Connect() error {
	return x.connect("")
}

// ConnectIPv4 forces an IPv4-only connection
func (x *GoSNMP) ConnectIPv4() error {
	return x.connect("4")
}

// connect to address addr on the given network
func (x *GoSNMP) connect(networkSuffix string) error {
	err := x.validateParameters()
	if err != nil {
		return err
	}

	x.Transport += networkSuffix
	if err = x.netConnect(); err != nil {
		return fmt.Errorf("error establishing connection to host: %w", err)
	}

	if x.random == 0 {
		n, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt32)) // returns a uniform random value in [0, 2147483647].
		if err != nil {
			return fmt.Errorf("error occurred while generating random: %w", err)
		}
		x.random = uint32(n.Uint64())
	}
	// http://tools.ietf.org/html/rfc3412#section-6 - msgID only uses the first 31 bits
	// msgID INTEGER (0..2147483647)
	x.msgID = x.random

	// RequestID is Integer32 from SNMPV2-SMI and uses all 32 bits
	x.requestID = x.random

	return nil
}

// Performs the real socket opening network operation. This can be used to do a
// reconnect (needed for TCP)
func (x *GoSNMP) netConnect() error {
	var err error
	addr := net.JoinHostPort(x.Target, strconv.Itoa(int(x.Port)))

	switch transport := x.Transport; transport {
	case "udp", "udp4", "udp6":
		if x.UseUnconnectedUDPSocket {
			x.uaddr, err = net.ResolveUDPAddr(transport, addr)
			if err != nil {
				return err
			}
			if addr4 := x.uaddr.IP.To4(); addr4 != nil {
				x.uaddr.IP = addr4
				transport = "udp4"
			}
			x.Conn, err = net.ListenUDP(transport, nil)
			return err
		}
	}
	dialer := net.Dialer{Timeout: x.Timeout}
	x.Conn, err = dialer.DialContext(x.Context, x.Transport, addr)
	return err
}

func (x *GoSNMP) validateParameters() error {
	if x.Logger == nil {
		x.mu.Lock()
		defer x.mu.Unlock()
		x.Logger = log.New(io.Discard, "", 0)
	}

	if x.Transport == "" {
		x.Transport = udp
	}

	if x.Context == nil {
		x.Context = context.Background()
	}
	return nil
}
