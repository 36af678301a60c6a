// Recall case nd-raft-net-transport-deadline
// Source: github.com/hashicorp/raft commit 88d25e3172934c51d9a65da2776e7c235f1f2c15 (net_transport.go)
// Link: https://github.com/hashicorp/raft/commit/88d25e3172934c51d9a65da2776e7c235f1f2c15
// Bug: NetworkTransport.genericRPC and InstallSnapshot write the request (sendRPC) and read the reply (decodeResponse) on a pooled net.Conn with no I/O deadline, so AppendEntries/RequestVote to an unresponsive peer block forever
// Fix: NewNetworkTransport takes a timeout and genericRPC/InstallSnapshot call conn.SetDeadline(time.Now().Add(timeout)) (scaled by snapshot size for InstallSnapshot) before sending
// Rule: nodeadline
package raft

import (
	"bufio"
	"encoding/gob"
	"errors"
	"io"
	"net"
	"sync"
)

const (
	rpcAppendEntries uint8 = iota
	rpcRequestVote
	rpcInstallSnapshot
)

type AppendEntriesRequest struct {
	Term              uint64
	Leader            []byte
	PrevLogEntry      uint64
	PrevLogTerm       uint64
	LeaderCommitIndex uint64
}

type AppendEntriesResponse struct {
	Term    uint64
	LastLog uint64
	Success bool
}

type RequestVoteRequest struct {
	Term         uint64
	Candidate    []byte
	LastLogIndex uint64
	LastLogTerm  uint64
}

type RequestVoteResponse struct {
	Term    uint64
	Granted bool
}

type InstallSnapshotRequest struct {
	Term         uint64
	Leader       []byte
	LastLogIndex uint64
	LastLogTerm  uint64
	Size         int64
}

type InstallSnapshotResponse struct {
	Term    uint64
	Success bool
}

/*
NetworkTransport provides a network based transport that can be
used to communicate with Raft on remote machines. Each RPC request is
framed by sending a byte that indicates the message type, followed
by the encoded request (MsgPack upstream; gob here).
*/
type NetworkTransport struct {
	connPool     map[string][]*netConn
	connPoolLock sync.Mutex

	dialer   net.Dialer
	listener net.Listener
	maxPool  int

	shutdown     bool
	shutdownCh   chan struct{}
	shutdownLock sync.Mutex
}

type netConn struct {
	target net.Addr
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	dec    *gob.Decoder
	enc    *gob.Encoder
}

func (n *netConn) Release() error {
	return n.conn.Close()
}

// Creates a new network transport with the given dailer and listener
func NewNetworkTransport(dialer net.Dialer, listener net.Listener) *NetworkTransport {
	trans := &NetworkTransport{
		connPool:   make(map[string][]*netConn),
		dialer:     dialer,
		listener:   listener,
		maxPool:    2,
		shutdownCh: make(chan struct{}),
	}
	return trans
}

// getExistingConn is used to grab a pooled connection
func (n *NetworkTransport) getPooledConn(target net.Addr) *netConn {
	n.connPoolLock.Lock()
	defer n.connPoolLock.Unlock()

	key := target.String()
	conns, ok := n.connPool[key]
	if !ok || len(conns) == 0 {
		return nil
	}

	var conn *netConn
	num := len(conns)
	conn, conns[num-1] = conns[num-1], nil
	n.connPool[key] = conns[:num-1]
	return conn
}

// getConn is used to get a connection from the pool
func (n *NetworkTransport) getConn(target net.Addr) (*netConn, error) {
	// Check for a pooled conn
	if conn := n.getPooledConn(target); conn != nil {
		return conn, nil
	}

	// Dial a new connection
	conn, err := n.dialer.Dial(target.Network(), target.String())
	if err != nil {
		return nil, err
	}

	// Wrap the conn
	netConn := &netConn{
		target: target,
		conn:   conn,
		r:      bufio.NewReader(conn),
		w:      bufio.NewWriter(conn),
	}

	// Setup encoder/decoders
	netConn.dec = gob.NewDecoder(netConn.r)
	netConn.enc = gob.NewEncoder(netConn.w)

	// Done
	return netConn, nil
}

// returnConn returns a connection back to the pool
func (n *NetworkTransport) returnConn(conn *netConn) {
	n.connPoolLock.Lock()
	defer n.connPoolLock.Unlock()

	key := conn.target.String()
	conns := n.connPool[key]

	if len(conns) < n.maxPool {
		n.connPool[key] = append(conns, conn)
	} else {
		conn.Release()
	}
}

func (n *NetworkTransport) AppendEntries(target net.Addr, args *AppendEntriesRequest, resp *AppendEntriesResponse) error {
	return n.genericRPC(target, rpcAppendEntries, args, resp)
}

func (n *NetworkTransport) RequestVote(target net.Addr, args *RequestVoteRequest, resp *RequestVoteResponse) error {
	return n.genericRPC(target, rpcRequestVote, args, resp)
}

// genericRPC handles a simple request/response RPC
func (n *NetworkTransport) genericRPC(target net.Addr, rpcType uint8, args interface{}, resp interface{}) error {
	// Get a conn
	conn, err := n.getConn(target)
	if err != nil {
		return err
	}

	// Send the RPC
	if err := sendRPC(conn, rpcType, args); err != nil {
		return err
	}

	// Decode the response
	return n.decodeResponse(conn, resp, true)
}

func (n *NetworkTransport) InstallSnapshot(target net.Addr, args *InstallSnapshotRequest, resp *InstallSnapshotResponse, data io.ReadCloser) error {
	// Make sure the state file is closed
	defer data.Close()

	// Get a conn, always close for InstallSnapshot
	conn, err := n.getConn(target)
	if err != nil {
		return err
	}
	defer conn.Release()

	// Send the RPC
	if err := sendRPC(conn, rpcInstallSnapshot, args); err != nil {
		return err
	}

	// Stream the state
	if _, err := io.Copy(conn.w, data); err != nil {
		return err
	}

	// Flush
	if err := conn.w.Flush(); err != nil {
		return err
	}

	// Decode the response, do not return conn
	return n.decodeResponse(conn, resp, false)
}

// decodeResponse is used to decode an RPC response and return the conn
func (n *NetworkTransport) decodeResponse(conn *netConn, resp interface{}, retConn bool) error {
	// Decode the error if any
	var rpcError string
	if err := conn.dec.Decode(&rpcError); err != nil {
		conn.Release()
		return err
	}

	// Decode the response
	if err := conn.dec.Decode(resp); err != nil {
		conn.Release()
		return err
	}

	// Return the conn
	if retConn {
		n.returnConn(conn)
	}

	// Format an error if any
	if rpcError != "" {
		return errors.New(rpcError)
	}
	return nil
}

// sendRPC is used to encode and send the RPC
func sendRPC(conn *netConn, rpcType uint8, args interface{}) error {
	// Write the request type
	if err := conn.w.WriteByte(rpcType); err != nil {
		conn.Release()
		return err
	}

	// Send the request
	if err := conn.enc.Encode(args); err != nil {
		conn.Release()
		return err
	}

	// Flush
	if err := conn.w.Flush(); err != nil {
		conn.Release()
		return err
	}
	return nil
}
