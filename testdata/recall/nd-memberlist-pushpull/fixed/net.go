// Recall case nd-memberlist-pushpull
// Source: github.com/hashicorp/memberlist commit 9d4e40d97679ff755cecc20c49755525a4a4eb86 (net.go)
// Link: https://github.com/hashicorp/memberlist/commit/9d4e40d97679ff755cecc20c49755525a4a4eb86
// Bug: the TCP push/pull state exchange only bounds the dial; after connecting, the state write and the read of the remote state have no I/O deadline, so a peer that accepts the connection but never answers blocks Join/pushPull forever.
// Fix: sendLocalState and readRemoteState call conn.SetDeadline(time.Now().Add(m.config.TCPTimeout)) before doing any I/O on the connection.
// Rule: nodeadline
package memberlist

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

type messageType uint8

const (
	pushPullMsg messageType = iota + 6
	compressMsg
	encryptMsg
)

const maxPushStateBytes = 10 * 1024 * 1024

type nodeStateType int

// Node represents a node in the cluster.
type Node struct {
	Name string
	Addr net.IP
	Meta []byte
}

type nodeState struct {
	Node
	Incarnation uint32
	State       nodeStateType
}

// pushPullHeader is used to inform the
// other side how many states we are transfering
type pushPullHeader struct {
	Nodes        int
	UserStateLen int // Encodes the byte lengh of user state
	Join         bool
}

// pushNodeState is used for pushPullReq when we are
// transfering out node states
type pushNodeState struct {
	Name        string
	Addr        []byte
	Meta        []byte
	Incarnation uint32
	State       nodeStateType
}

// Delegate supplies user state for push/pull.
type Delegate interface {
	LocalState(join bool) []byte
}

type Config struct {
	TCPPort    int
	TCPTimeout time.Duration
	Delegate   Delegate
}

type Memberlist struct {
	config *Config
	logger *log.Logger

	nodeLock sync.RWMutex
	nodes    []*nodeState
}

// sendState is used to initiate a push/pull over TCP with a remote node
func (m *Memberlist) sendAndReceiveState(addr []byte, join bool) ([]pushNodeState, []byte, error) {
	// Attempt to connect
	dialer := net.Dialer{Timeout: m.config.TCPTimeout}
	dest := net.TCPAddr{IP: addr, Port: m.config.TCPPort}
	conn, err := dialer.Dial("tcp", dest.String())
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	m.logger.Printf("[INFO] Initiating push/pull sync with: %s", conn.RemoteAddr())

	// Send our state
	if err := m.sendLocalState(conn, join); err != nil {
		return nil, nil, err
	}

	// Read remote state
	_, remote, userState, err := m.readRemoteState(conn)
	if err != nil {
		err := fmt.Errorf("Reading remote state failed: %v", err)
		return nil, nil, err
	}

	// Return the remote state
	return remote, userState, nil
}

// sendLocalState is invoked to send our local state over a tcp connection
func (m *Memberlist) sendLocalState(conn net.Conn, join bool) error {
	// Setup a deadline
	conn.SetDeadline(time.Now().Add(m.config.TCPTimeout))

	// Prepare the local node state
	m.nodeLock.RLock()
	localNodes := make([]pushNodeState, len(m.nodes))
	for idx, n := range m.nodes {
		localNodes[idx].Name = n.Name
		localNodes[idx].Addr = n.Addr
		localNodes[idx].Incarnation = n.Incarnation
		localNodes[idx].State = n.State
		localNodes[idx].Meta = n.Meta
	}
	m.nodeLock.RUnlock()

	// Get the delegate state
	var userData []byte
	if m.config.Delegate != nil {
		userData = m.config.Delegate.LocalState(join)
	}

	// Create a bytes buffer writer
	bufConn := bytes.NewBuffer(nil)

	// Send our node state
	header := pushPullHeader{Nodes: len(localNodes), UserStateLen: len(userData), Join: join}
	enc := json.NewEncoder(bufConn)

	// Begin state push
	if _, err := bufConn.Write([]byte{byte(pushPullMsg)}); err != nil {
		return err
	}

	if err := enc.Encode(&header); err != nil {
		return err
	}
	for i := 0; i < header.Nodes; i++ {
		if err := enc.Encode(&localNodes[i]); err != nil {
			return err
		}
	}

	// Write the user state as well
	if userData != nil {
		if _, err := bufConn.Write(userData); err != nil {
			return err
		}
	}

	// Get the send buffer
	sendBuf := bufConn.Bytes()

	// Write out the entire send buffer
	if _, err := conn.Write(sendBuf); err != nil {
		return err
	}
	return nil
}

// recvRemoteState is used to read the remote state from a connection
func (m *Memberlist) readRemoteState(conn net.Conn) (bool, []pushNodeState, []byte, error) {
	// Setup a deadline
	conn.SetDeadline(time.Now().Add(m.config.TCPTimeout))

	// Created a buffered reader
	var bufConn io.Reader = bufio.NewReader(conn)

	// Read the message type
	buf := [1]byte{0}
	if _, err := bufConn.Read(buf[:]); err != nil {
		return false, nil, nil, err
	}
	msgType := messageType(buf[0])

	// Get the decoder
	dec := json.NewDecoder(bufConn)

	// Quit if not push/pull
	if msgType != pushPullMsg {
		err := fmt.Errorf("received invalid msgType (%d)", msgType)
		return false, nil, nil, err
	}

	// Read the push/pull header
	var header pushPullHeader
	if err := dec.Decode(&header); err != nil {
		return false, nil, nil, err
	}

	// Allocate space for the transfer
	remoteNodes := make([]pushNodeState, header.Nodes)

	// Try to decode all the states
	for i := 0; i < header.Nodes; i++ {
		if err := dec.Decode(&remoteNodes[i]); err != nil {
			return false, remoteNodes, nil, err
		}
	}

	// Read the remote user state into a buffer
	var userBuf []byte
	if header.UserStateLen > 0 {
		if header.UserStateLen > maxPushStateBytes {
			return false, remoteNodes, nil, fmt.Errorf("user state too large (%d)", header.UserStateLen)
		}
		userBuf = make([]byte, header.UserStateLen)
		bytes, err := io.ReadAtLeast(dec.Buffered(), userBuf, header.UserStateLen)
		if err == nil && bytes != header.UserStateLen {
			err = fmt.Errorf(
				"Failed to read full user state (%d / %d)",
				bytes, header.UserStateLen)
		}
		if err != nil {
			return false, remoteNodes, nil, err
		}
	}

	return header.Join, remoteNodes, userBuf, nil
}
