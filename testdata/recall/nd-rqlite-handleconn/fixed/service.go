// Recall case nd-rqlite-handleconn
// Source: github.com/rqlite/rqlite commit f3a06ac3dfd7cd203b22977b76fd3e2ad9f9f27a (cluster/service.go)
// Link: https://github.com/rqlite/rqlite/commit/f3a06ac3dfd7cd203b22977b76fd3e2ad9f9f27a
// Bug: Service.serve hands every accepted conn to Service.handleConn, which blocks in io.ReadFull(conn, ...) with no read deadline, so a peer that connects and never sends holds the goroutine forever.
// Fix: add connReadTimeout (30s) / Service.connTimeout and call conn.SetReadDeadline before each io.ReadFull in handleConn.
// Rule: nodeadline
package cluster

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"time"
)

const protoBufferLengthSize = 8

const (
	// MuxRaftHeader is the byte used to indicate internode Raft communications.
	MuxRaftHeader = 1

	// MuxClusterHeader is the byte used to request internode cluster state information.
	MuxClusterHeader = 2 // Cluster state communications

	// connReadTimeout is the maximum time to wait for data on a
	// connection. If no data is received within this period, the
	// connection is closed, preventing stalled clients from holding
	// goroutines indefinitely.
	connReadTimeout = 30 * time.Second
)

// CommandType stands in for proto.Command_Type.
type CommandType int

// Command type values used below.
const (
	CommandTypeGetNodeMeta CommandType = 1
)

// Command stands in for the protobuf proto.Command message.
type Command struct {
	Type CommandType `json:"type"`
}

// NodeMeta stands in for the protobuf proto.NodeMeta message.
type NodeMeta struct {
	Url         string `json:"url"`
	CommitIndex uint64 `json:"commit_index"`
	Version     string `json:"version"`
}

// Manager is the interface node information providers must implement.
type Manager interface {
	CommitIndex() (uint64, error)
}

// Service provides information about the node and cluster.
type Service struct {
	ln   net.Listener // Incoming connections to the service
	addr net.Addr     // Address on which this service is listening

	mgr Manager // The cluster management system.

	mu      sync.RWMutex
	https   bool   // Serving HTTPS?
	apiAddr string // host:port this node serves the HTTP API.
	version string // Version of software this node is running.

	// connTimeout is the maximum time to wait for data on a
	// connection. Must be set before Open is called.
	connTimeout time.Duration

	logger *log.Logger
}

// New returns a new instance of the cluster service
func New(ln net.Listener, m Manager) *Service {
	return &Service{
		ln:     ln,
		addr:   ln.Addr(),
		mgr:    m,
		logger: log.New(os.Stderr, "[cluster] ", log.LstdFlags),

		connTimeout: connReadTimeout,
	}
}

// Open opens the Service.
func (s *Service) Open() error {
	go s.serve()
	s.logger.Println("service listening on", s.addr)
	return nil
}

// Close closes the service.
func (s *Service) Close() error {
	s.ln.Close()
	return nil
}

// GetVersion returns the version of the software this node is running.
func (s *Service) GetVersion() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version
}

// GetNodeAPIURL returns fully-specified HTTP(S) API URL for the
// node running this service.
func (s *Service) GetNodeAPIURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	scheme := "http"
	if s.https {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, s.apiAddr)
}

func (s *Service) serve() error {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return err
		}

		go s.handleConn(conn)
	}
}

func (s *Service) handleConn(conn net.Conn) {
	defer conn.Close()

	b := make([]byte, protoBufferLengthSize)
	for {
		if s.connTimeout > 0 {
			if err := conn.SetReadDeadline(time.Now().Add(s.connTimeout)); err != nil {
				return
			}
		}
		_, err := io.ReadFull(conn, b)
		if err != nil {
			return
		}
		sz := binary.LittleEndian.Uint64(b[0:])

		p := make([]byte, sz)
		if s.connTimeout > 0 {
			if err := conn.SetReadDeadline(time.Now().Add(s.connTimeout)); err != nil {
				return
			}
		}
		_, err = io.ReadFull(conn, p)
		if err != nil {
			return
		}

		c := &Command{}
		err = json.Unmarshal(p, c)
		if err != nil {
			conn.Close()
			return
		}

		switch c.Type {
		case CommandTypeGetNodeMeta:
			ci, err := s.mgr.CommitIndex()
			if err != nil {
				conn.Close()
				return
			}
			p, err = json.Marshal(&NodeMeta{
				Url:         s.GetNodeAPIURL(),
				CommitIndex: ci,
				Version:     s.GetVersion(),
			})
			if err != nil {
				conn.Close()
			}
			if err := writeBytesWithLength(conn, p); err != nil {
				return
			}
		}
	}
}

func writeBytesWithLength(conn net.Conn, p []byte) error {
	b := make([]byte, protoBufferLengthSize)
	binary.LittleEndian.PutUint64(b[0:], uint64(len(p)))
	_, err := conn.Write(b)
	if err != nil {
		return err
	}
	_, err = conn.Write(p)
	return err
}
