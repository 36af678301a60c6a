// Recall case nd-gogs-sshhandshake
// Source: github.com/gogs/gogs commit 7da9cda314054501e1a7938a9c4d7896f331b884 (internal/ssh/ssh.go)
// Link: https://github.com/gogs/gogs/commit/7da9cda314054501e1a7938a9c4d7896f331b884
// Bug: listen() accepts a net.Conn and runs ssh.NewServerConn on it with no deadline, so a client that stalls the handshake keeps the goroutine and conn forever.
// Fix: set a 15s conn.SetDeadline before the handshake and clear it after NewServerConn succeeds.
// Rule: nodeadline
package sshsrv

import (
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"syscall"
)

// --- stub of golang.org/x/crypto/ssh: the version exchange reads from the raw conn like the real library ---

type ServerConfig struct {
	ServerVersion string
}

type Permissions struct {
	Extensions map[string]string
}

type NewChannel struct{ chanType string }

func (n NewChannel) ChannelType() string { return n.chanType }

type Request struct {
	Type    string
	Payload []byte
}

type ServerConn struct {
	net.Conn
	clientVersion []byte
	Permissions   *Permissions
}

func (s *ServerConn) ClientVersion() []byte { return s.clientVersion }

// NewServerConn performs the SSH version exchange on c: it writes the server
// version line and then reads the client's version line from the connection.
func NewServerConn(c net.Conn, config *ServerConfig) (*ServerConn, <-chan NewChannel, <-chan *Request, error) {
	version := config.ServerVersion
	if version == "" {
		version = "SSH-2.0-Go"
	}
	if _, err := c.Write([]byte(version + "\r\n")); err != nil {
		return nil, nil, nil, err
	}
	clientVersion, err := readVersion(c)
	if err != nil {
		return nil, nil, nil, err
	}
	chans := make(chan NewChannel)
	close(chans)
	reqs := make(chan *Request)
	close(reqs)
	return &ServerConn{
		Conn:          c,
		clientVersion: clientVersion,
		Permissions:   &Permissions{Extensions: map[string]string{"key-id": "1"}},
	}, chans, reqs, nil
}

func readVersion(r io.Reader) ([]byte, error) {
	var versionString []byte
	var buf [1]byte
	for len(versionString) < 255 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, err
		}
		if buf[0] == '\n' {
			return versionString, nil
		}
		versionString = append(versionString, buf[0])
	}
	return nil, errors.New("ssh: overflow reading version string")
}

func DiscardRequests(in <-chan *Request) {
	for range in {
	}
}

// --- reduced gogs code ---

func handleServerConn(keyID string, chans <-chan NewChannel) {
	for newChan := range chans {
		log.Printf("SSH: channel %s for key %s", newChan.ChannelType(), keyID)
	}
}

func listen(config *ServerConfig, host string, port int) {
	listener, err := net.Listen("tcp", host+":"+strconv.Itoa(port))
	if err != nil {
		log.Fatalf("Failed to start SSH server: %v", err)
	}
	for {
		// Once a ServerConfig has been configured, connections can be accepted.
		conn, err := listener.Accept()
		if err != nil {
			log.Printf("SSH: Error accepting incoming connection: %v", err)
			continue
		}

		// Before use, a handshake must be performed on the incoming net.Conn.
		// It must be handled in a separate goroutine,
		// otherwise one user could easily block entire loop.
		// For example, user could be asked to trust server key fingerprint and hangs.
		go func() {
			log.Printf("SSH: Handshaking for %s", conn.RemoteAddr())
			sConn, chans, reqs, err := NewServerConn(conn, config)
			if err != nil {
				if err == io.EOF || errors.Is(err, syscall.ECONNRESET) {
					log.Printf("SSH: Handshaking was terminated: %v", err)
				} else {
					log.Printf("SSH: Error on handshaking: %v", err)
				}
				return
			}

			log.Printf("SSH: Connection from %s (%s)", sConn.RemoteAddr(), sConn.ClientVersion())
			// The incoming Request channel must be serviced.
			go DiscardRequests(reqs)
			go handleServerConn(sConn.Permissions.Extensions["key-id"], chans)
		}()
	}
}

// Listen starts a SSH server listens on given port.
func Listen(host string, port int) {
	config := &ServerConfig{}
	go listen(config, host, port)
}
