// Recall case tl-chaos-mesh-portforward
// Source: github.com/chaos-mesh/chaos-mesh commit 466578eb06d3d96e65bd68ba9adbcbd1d67cc367 (pkg/portforward/portforward.go)
// Link: https://github.com/chaos-mesh/chaos-mesh/commit/466578eb06d3d96e65bd68ba9adbcbd1d67cc367
// Bug: portForwarder.forwardPorts starts go func(){ errChan <- fw.ForwardPorts() }() on an unbuffered errChan, but returns as soon as readyChan fires; when the forward later ends (cancel) nobody reads errChan and the goroutine blocks forever.
// Fix: errChan is buffered (make(chan error, 1)) so the final send never blocks.
// Rule: timeoutleak
package portforward

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Dialer stands in for the spdy dialer (httpstream.Dialer) of client-go.
type Dialer struct {
	method string
	url    *url.URL
}

// NewDialer stands in for spdy.NewDialer.
func NewDialer(method string, u *url.URL) *Dialer {
	return &Dialer{method: method, url: u}
}

// ForwardedPort is a local/remote port pair (client-go portforward.ForwardedPort).
type ForwardedPort struct {
	Local  uint16
	Remote uint16
}

// PortForwarder stands in for client-go's portforward.PortForwarder: ForwardPorts
// opens the local listeners, signals Ready and then blocks until stopChan is
// closed, returning nil (or returns an error at once if it cannot listen).
type PortForwarder struct {
	dialer    *Dialer
	addresses []string
	ports     []ForwardedPort
	stopChan  <-chan struct{}
	Ready     chan struct{}
	out       io.Writer
	errOut    io.Writer
	listeners []net.Listener
}

// NewOnAddresses stands in for portforward.NewOnAddresses.
func NewOnAddresses(dialer *Dialer, addresses []string, ports []string, stopChan <-chan struct{}, readyChan chan struct{}, out, errOut io.Writer) (*PortForwarder, error) {
	if len(ports) == 0 {
		return nil, errors.New("you must specify at least 1 port")
	}
	parsed := make([]ForwardedPort, 0, len(ports))
	for _, p := range ports {
		local, remote, ok := strings.Cut(p, ":")
		if !ok {
			local, remote = p, p
		}
		l, err := strconv.ParseUint(local, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing local port %q: %w", local, err)
		}
		r, err := strconv.ParseUint(remote, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing remote port %q: %w", remote, err)
		}
		parsed = append(parsed, ForwardedPort{Local: uint16(l), Remote: uint16(r)})
	}
	return &PortForwarder{
		dialer:    dialer,
		addresses: addresses,
		ports:     parsed,
		stopChan:  stopChan,
		Ready:     readyChan,
		out:       out,
		errOut:    errOut,
	}, nil
}

// ForwardPorts listens on the local ports and blocks until stopChan is closed.
func (pf *PortForwarder) ForwardPorts() error {
	defer func() {
		for _, l := range pf.listeners {
			_ = l.Close()
		}
	}()
	for i, p := range pf.ports {
		for _, addr := range pf.addresses {
			l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(int(p.Local))))
			if err != nil {
				return fmt.Errorf("unable to listen on port %d: %w", p.Local, err)
			}
			pf.listeners = append(pf.listeners, l)
			if p.Local == 0 {
				pf.ports[i].Local = uint16(l.Addr().(*net.TCPAddr).Port)
			}
			fmt.Fprintf(pf.out, "Forwarding from %s -> %d\n", l.Addr(), p.Remote)
		}
	}
	if pf.Ready != nil {
		close(pf.Ready)
	}
	<-pf.stopChan
	return nil
}

// GetPorts returns the ports that were forwarded.
func (pf *PortForwarder) GetPorts() ([]ForwardedPort, error) {
	if len(pf.listeners) == 0 {
		return nil, errors.New("listeners not ready")
	}
	return pf.ports, nil
}
