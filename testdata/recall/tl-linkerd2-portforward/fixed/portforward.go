// Recall case tl-linkerd2-portforward
// Source: github.com/linkerd/linkerd2 commit ae9ada05f16d588c8685231af32fe93b18351d61 (pkg/k8s/portforward.go)
// Link: https://github.com/linkerd/linkerd2/commit/ae9ada05f16d588c8685231af32fe93b18351d61
// Bug: PortForward.Init returns as soon as <-pf.readyCh fires, so when pf.run() later fails the goroutine blocks forever on the unbuffered `failure <- err` send that nobody reads
// Fix: make the failure channel buffered (make(chan error, 1)) so the goroutine can always complete its send and exit
// Rule: timeoutleak
package k8s

import (
	"fmt"
	"log"
	"net"
	"net/url"
)

// PortForward provides a port-forward connection into a Kubernetes cluster.
type PortForward struct {
	method     string
	url        *url.URL
	host       string
	namespace  string
	podName    string
	localPort  int
	remotePort int
	emitLogs   bool
	stopCh     chan struct{}
	readyCh    chan struct{}
}

func newPortForward(
	portForwardURL *url.URL,
	namespace, podName string,
	host string, localPort, remotePort int,
	emitLogs bool,
) (*PortForward, error) {
	var err error
	if localPort == 0 {
		if host != "localhost" {
			return nil, fmt.Errorf("local port must be specified when host is not localhost")
		}

		localPort, err = getEphemeralPort()
		if err != nil {
			return nil, err
		}
	}

	return &PortForward{
		method:     "POST",
		url:        portForwardURL,
		host:       host,
		namespace:  namespace,
		podName:    podName,
		localPort:  localPort,
		remotePort: remotePort,
		emitLogs:   emitLogs,
		stopCh:     make(chan struct{}, 1),
		readyCh:    make(chan struct{}),
	}, nil
}

// run creates and runs the port-forward connection.
// When the connection is established it blocks until Stop() is called.
func (pf *PortForward) run() error {
	ports := []string{fmt.Sprintf("%d:%d", pf.localPort, pf.remotePort)}

	fw, err := newOnAddresses([]string{pf.host}, ports, pf.stopCh, pf.readyCh)
	if err != nil {
		return err
	}

	err = fw.ForwardPorts()
	if err != nil {
		err = fmt.Errorf("%w for %s/%s", err, pf.namespace, pf.podName)
		return err
	}
	return nil
}

// Init creates and runs a port-forward connection.
// This function blocks until the connection is established, in which case it returns nil.
// It's the caller's responsibility to call Stop() to finish the connection.
func (pf *PortForward) Init() error {
	log.Printf("Starting port forward to %s %d:%d", pf.url, pf.localPort, pf.remotePort)

	failure := make(chan error, 1)

	go func() {
		if err := pf.run(); err != nil {
			failure <- err
		}
	}()

	// The `select` statement below depends on one of two outcomes from `pf.run()`:
	// 1) Succeed and block, causing a receive on `<-pf.readyCh`
	// 2) Return an err, causing a receive `<-failure`
	select {
	case <-pf.readyCh:
		log.Print("Port forward initialised")
	case err := <-failure:
		log.Printf("Port forward failed: %v", err)
		return err
	}

	return nil
}

// Stop terminates the port-forward connection.
// It is the caller's responsibility to call Stop even in case of errors
func (pf *PortForward) Stop() {
	close(pf.stopCh)
}

// AddressAndPort returns the address and port for the port-forward connection.
func (pf *PortForward) AddressAndPort() string {
	return fmt.Sprintf("%s:%d", pf.host, pf.localPort)
}

// getEphemeralPort selects a port for the port-forwarding. It binds to a free
// ephemeral port and returns the port number.
func getEphemeralPort() (int, error) {
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return 0, err
	}

	defer ln.Close()

	// get port
	tcpAddr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("invalid listen address: %s", ln.Addr())
	}

	return tcpAddr.Port, nil
}

// portForwarder is a stand-in for k8s.io/client-go/tools/portforward.PortForwarder:
// it listens on the local address, closes readyChan once listening, and then
// serves until stopChan is closed or the forwarding breaks (returning an error).
type portForwarder struct {
	addresses []string
	ports     []string
	stopChan  <-chan struct{}
	readyChan chan struct{}
}

func newOnAddresses(addresses []string, ports []string, stopChan <-chan struct{}, readyChan chan struct{}) (*portForwarder, error) {
	if len(addresses) == 0 || len(ports) == 0 {
		return nil, fmt.Errorf("you must specify at least 1 address and 1 port")
	}
	return &portForwarder{addresses: addresses, ports: ports, stopChan: stopChan, readyChan: readyChan}, nil
}

// ForwardPorts listens and forwards until stopChan is closed; it returns an
// error if the listener breaks ("lost connection").
func (pf *portForwarder) ForwardPorts() error {
	var local, remote int
	if _, err := fmt.Sscanf(pf.ports[0], "%d:%d", &local, &remote); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(pf.addresses[0], fmt.Sprint(local)))
	if err != nil {
		return err
	}
	defer ln.Close()

	if pf.readyChan != nil {
		close(pf.readyChan)
	}

	errCh := make(chan error, 1)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				errCh <- err
				return
			}
			conn.Close()
		}
	}()

	select {
	case <-pf.stopChan:
		return nil
	case err := <-errCh:
		return fmt.Errorf("lost connection to pod: %w", err)
	}
}
