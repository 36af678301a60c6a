// Recall case nd-ftpgrab-sftpdial
// Source: github.com/crazy-max/ftpgrab commit da30d0d06fcf1922659504633bb261fc2960a7b2 (internal/server/sftp/client.go)
// Link: https://github.com/crazy-max/ftpgrab/commit/da30d0d06fcf1922659504633bb261fc2960a7b2
// Bug: The SFTP client dials with ssh.Dial, whose Timeout only bounds the TCP connect; every later read/write on the SSH transport (listing, file transfer) has no deadline, so a stalled server hangs Retrieve forever.
// Fix: Dial the TCP connection manually and wrap it in a timeoutConn that refreshes read/write deadlines before each network operation.
// Rule: nodeadline
package sftp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// ServerSFTP is the reduced server configuration.
type ServerSFTP struct {
	Host     string
	Port     int
	Username string
	Timeout  *time.Duration
	Sources  []string
}

// --- minimal stand-in for golang.org/x/crypto/ssh and github.com/pkg/sftp ---

type sshClientConfig struct {
	User    string
	Timeout time.Duration
}

type sshClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func sshNewClientConn(conn net.Conn, addr string, config *sshClientConfig) (*sshClient, error) {
	if _, err := fmt.Fprintf(conn, "SSH-2.0-ftpgrab %s\r\n", config.User); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ssh: handshake failed with %s: %w", addr, err)
	}
	return &sshClient{conn: conn, r: r}, nil
}

func (s *sshClient) Open(path string) (io.ReadCloser, error) {
	if _, err := fmt.Fprintf(s.conn, "OPEN %s\n", path); err != nil {
		return nil, err
	}
	return io.NopCloser(s.r), nil
}

func (s *sshClient) Close() error { return s.conn.Close() }

// --- end stand-in ---

// Client represents an active sftp object
type Client struct {
	config *ServerSFTP
	ssh    *sshClient
}

// New creates new sftp instance
func New(config *ServerSFTP) (*Client, error) {
	var err error
	var client = &Client{config: config}

	sshConf := &sshClientConfig{
		User:    config.Username,
		Timeout: *config.Timeout,
	}

	client.ssh, err = dialSSH("tcp", fmt.Sprintf("%s:%d", config.Host, config.Port), sshConf)
	if err != nil {
		return nil, fmt.Errorf("Cannot open ssh connection: %w", err)
	}

	return client, err
}

// ReadDir is not used by this reduction.
func (c *Client) ReadDir(path string) ([]os.FileInfo, error) {
	return nil, nil
}

func dialSSH(network, addr string, config *sshClientConfig) (*sshClient, error) {
	conn, err := net.DialTimeout(network, addr, config.Timeout)
	if err != nil {
		return nil, err
	}
	conn = NewTimeoutConn(conn, config.Timeout)
	return sshNewClientConn(conn, addr, config)
}

type timeoutConn struct {
	net.Conn
	timeout time.Duration
}

// NewTimeoutConn refreshes read and write deadlines before each network
// operation so long transfers keep making progress while stalled ones time out.
func NewTimeoutConn(conn net.Conn, timeout time.Duration) net.Conn {
	if timeout <= 0 {
		return conn
	}
	return &timeoutConn{
		Conn:    conn,
		timeout: timeout,
	}
}

func (c *timeoutConn) Read(p []byte) (int, error) {
	if err := c.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *timeoutConn) Write(p []byte) (int, error) {
	if err := c.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// Retrieve file "path" from server and write bytes to "dest".
func (c *Client) Retrieve(path string, dest io.Writer) error {
	reader, err := c.ssh.Open(path)
	if err != nil {
		return err
	}
	defer reader.Close()

	if _, err := io.Copy(dest, reader); err != nil {
		return err
	}

	return nil
}

// Close closes sftp connection
func (c *Client) Close() error {
	return c.ssh.Close()
}
