// Recall case tl-kubevirt-migrationproxy
// Source: github.com/kubevirt/kubevirt commit 1fcc483b1c852a6b67bcbcf3cfc0b1c7145bf820 (pkg/virt-handler/migration-proxy/migration-proxy.go)
// Link: https://github.com/kubevirt/kubevirt/commit/1fcc483b1c852a6b67bcbcf3cfc0b1c7145bf820
// Bug: handleConnection starts two io.Copy goroutines that report on unbuffered channels, but the select returns after the first result (or stopChan), so the other goroutine blocks forever on its send.
// Fix: make outBoundErr and inBoundErr buffered channels of size 1.
// Rule: timeoutleak
package migrationproxy

import (
	"crypto/tls"
	"io"
	"log"
	"net"
)

type migrationProxy struct {
	targetAddress  string
	targetProtocol string
	stopChan       chan struct{}
	listenErrChan  chan error
	fdChan         chan net.Conn

	listener        net.Listener
	clientTLSConfig *tls.Config

	logger *log.Logger
}

func (m *migrationProxy) Stop() {
	close(m.stopChan)
	if m.listener != nil {
		m.logger.Printf("proxy stopped listening")
		m.listener.Close()
	}
}

func (m *migrationProxy) handleConnection(fd net.Conn) {
	defer fd.Close()

	outBoundErr := make(chan error)
	inBoundErr := make(chan error)

	var conn net.Conn
	var err error
	if m.targetProtocol == "tcp" && m.clientTLSConfig != nil {
		conn, err = tls.Dial(m.targetProtocol, m.targetAddress, m.clientTLSConfig)
	} else {
		conn, err = net.Dial(m.targetProtocol, m.targetAddress)
	}
	if err != nil {
		m.logger.Printf("unable to create outbound leg of proxy to host: %v", err)
		return
	}

	go func() {
		//from outbound connection to proxy
		n, err := io.Copy(fd, conn)
		m.logger.Printf("%d bytes copied outbound to inbound", n)
		inBoundErr <- err
	}()
	go func() {
		//from proxy to outbound connection
		n, err := io.Copy(conn, fd)
		m.logger.Printf("%d bytes copied from inbound to outbound", n)
		outBoundErr <- err
	}()

	select {
	case err = <-outBoundErr:
		if err != nil {
			m.logger.Printf("error encountered copying data to outbound connection: %v", err)
		}
	case err = <-inBoundErr:
		if err != nil {
			m.logger.Printf("error encountered copying data into inbound connection: %v", err)
		}
	case <-m.stopChan:
		m.logger.Printf("stop channel terminated proxy")
	}
}

func (m *migrationProxy) Start() error {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	m.listener = listener

	go func(ln net.Listener, fdChan chan net.Conn, listenErr chan error, stopChan chan struct{}) {
		for {
			fd, err := ln.Accept()
			if err != nil {
				listenErr <- err

				select {
				case <-stopChan:
					m.logger.Printf("stopChan is closed. Listener exited with expected error: %v", err)
				default:
					m.logger.Printf("proxy unix socket listener returned error: %v", err)
				}
				break
			} else {
				fdChan <- fd
			}
		}
	}(m.listener, m.fdChan, m.listenErrChan, m.stopChan)

	go func(m *migrationProxy) {
		for {
			select {
			case fd := <-m.fdChan:
				go m.handleConnection(fd)
			case <-m.stopChan:
				return
			case <-m.listenErrChan:
				return
			}
		}
	}(m)

	m.logger.Printf("proxy started listening")
	return nil
}
