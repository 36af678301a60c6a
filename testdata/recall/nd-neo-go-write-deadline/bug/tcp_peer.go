// Recall case nd-neo-go-write-deadline
// Source: github.com/nspcc-dev/neo-go commit 84a3474fc5bf4e82c2a2dade59d7de826905bff4 (pkg/network/tcp_peer.go)
// Link: https://github.com/nspcc-dev/neo-go/commit/84a3474fc5bf4e82c2a2dade59d7de826905bff4
// Bug: the send-queue goroutine handleQueues writes each message to the peer net.Conn without any write deadline, so under load a peer that stops reading makes p.conn.Write block forever and the node hangs.
// Fix: set p.conn.SetWriteDeadline(time.Now().Add(writeTimeout)) (one block interval) before every Write.
// Rule: nodeadline
package network

import (
	"errors"
	"net"
	"sync"
)

const (
	requestQueueSize   = 32
	p2pMsgQueueSize    = 16
	hpRequestQueueSize = 4
)

var errGone = errors.New("the peer is gone already")

// ProtocolConfiguration is a stand-in for the chain configuration.
type ProtocolConfiguration struct {
	SecondsPerBlock int
}

// Blockchainer is a stand-in for the chain the server talks to.
type Blockchainer interface {
	GetConfig() ProtocolConfiguration
}

// Server is a stand-in for the network server a peer belongs to.
type Server struct {
	chain Blockchainer
}

// TCPPeer represents a connected remote node in the
// network over TCP.
type TCPPeer struct {
	// underlying TCP connection.
	conn net.Conn
	// The server this peer belongs to.
	server *Server

	finale sync.Once

	done     chan struct{}
	sendQ    chan []byte
	p2pSendQ chan []byte
	hpSendQ  chan []byte
}

// NewTCPPeer returns a TCPPeer structure based on the given connection.
func NewTCPPeer(conn net.Conn, s *Server) *TCPPeer {
	return &TCPPeer{
		conn:     conn,
		server:   s,
		done:     make(chan struct{}),
		sendQ:    make(chan []byte, requestQueueSize),
		p2pSendQ: make(chan []byte, p2pMsgQueueSize),
		hpSendQ:  make(chan []byte, hpRequestQueueSize),
	}
}

// EnqueuePacket puts the given packet into the send queue.
func (p *TCPPeer) EnqueuePacket(msg []byte) error {
	select {
	case p.sendQ <- msg:
	case <-p.done:
		return errGone
	}
	return nil
}

// handleQueues is a goroutine that is started automatically to handle
// send queues.
func (p *TCPPeer) handleQueues() {
	var err error
	// p2psend queue shares its time with send queue in around
	// ((p2pSkipDivisor - 1) * 2 + 1)/1 ratio, ratio because the third
	// select can still choose p2psend over send.
	var p2pSkipCounter uint32
	const p2pSkipDivisor = 4

	for {
		var msg []byte

		// This one is to give priority to the hp queue
		select {
		case <-p.done:
			return
		case msg = <-p.hpSendQ:
		default:
		}

		// Skip this select every p2pSkipDivisor iteration.
		if msg == nil && p2pSkipCounter%p2pSkipDivisor != 0 {
			// Then look at the p2p queue.
			select {
			case <-p.done:
				return
			case msg = <-p.hpSendQ:
			case msg = <-p.p2pSendQ:
			default:
			}
		}
		// If there is no message in HP or P2P queues, block until one
		// appears in any of the queues.
		if msg == nil {
			select {
			case <-p.done:
				return
			case msg = <-p.hpSendQ:
			case msg = <-p.p2pSendQ:
			case msg = <-p.sendQ:
			}
		}
		_, err = p.conn.Write(msg)
		if err != nil {
			break
		}
		p2pSkipCounter++
	}
	p.Disconnect(err)
}

// Disconnect will fill the peer's done channel with the given error.
func (p *TCPPeer) Disconnect(err error) {
	p.finale.Do(func() {
		close(p.done)
		p.conn.Close()
	})
}
