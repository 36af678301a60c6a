// Recall case nd-netbird-dialssh
// Source: github.com/netbirdio/netbird commit ecfbd686b807f2e47295e1dfad3cd86b47af3c84 (client/ssh/client/client.go)
// Link: https://github.com/netbirdio/netbird/commit/ecfbd686b807f2e47295e1dfad3cd86b47af3c84
// Bug: dialSSH bounds only the TCP dial with the caller's ctx (which normally has no deadline) and then runs the SSH handshake (NewClientConn reading the raw conn) with no conn deadline; ClientConfig.Timeout is ignored by NewClientConn, so a peer that accepts and stays silent blocks the client forever.
// Fix: dialSSH derives a context.WithTimeout(ctx, config.Timeout) and the new Handshake helper applies the ctx deadline to the conn (SetDeadline) for the duration of the handshake.
// Rule: nodeadline
package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

// ClientConfig is a stand-in for ssh.ClientConfig. As in x/crypto/ssh,
// Timeout is honoured by ssh.Dial only, not by NewClientConn.
type ClientConfig struct {
	User    string
	Timeout time.Duration
	JWT     string
}

// Conn is a stand-in for ssh.Conn.
type Conn struct {
	net.Conn
	ServerVersion string
}

// SSHClient is a stand-in for ssh.Client.
type SSHClient struct {
	conn *Conn
}

// NewClientConn is a stand-in for ssh.NewClientConn: it performs the version
// exchange by writing to and reading from the raw conn.
func NewClientConn(c net.Conn, addr string, config *ClientConfig) (*Conn, error) {
	if _, err := io.WriteString(c, "SSH-2.0-netbird\r\n"); err != nil {
		return nil, fmt.Errorf("ssh: write version: %w", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("ssh: handshake failed: %w", err)
	}
	if !strings.HasPrefix(line, "SSH-") {
		return nil, errors.New("ssh: invalid server version")
	}
	return &Conn{Conn: c, ServerVersion: strings.TrimSpace(line)}, nil
}

// NewClient is a stand-in for ssh.NewClient.
func NewClient(c *Conn) *SSHClient {
	return &SSHClient{conn: c}
}

// Client wraps the SSH client for simplified SSH operations.
type Client struct {
	client *SSHClient
}

// DialOptions contains options for SSH connections.
type DialOptions struct {
	DaemonAddr string
}

// Dial connects to the given ssh server with specified options.
func Dial(ctx context.Context, addr, user string, opts DialOptions) (*Client, error) {
	config := &ClientConfig{
		User:    user,
		Timeout: 30 * time.Second,
	}
	return dialWithJWT(ctx, "tcp", addr, config, opts.DaemonAddr)
}

// detectRequiresJWT is a stand-in for detection.DetectSSHServerType: it reads
// the server banner, bounded by ctx.
func detectRequiresJWT(ctx context.Context, dialer *net.Dialer, host string, port int) (bool, error) {
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetReadDeadline(deadline); err != nil {
			return false, err
		}
	}
	banner, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return false, err
	}
	return strings.Contains(banner, "netbird-jwt"), nil
}

// requestJWTToken is a stand-in for the daemon JWT request.
func requestJWTToken(ctx context.Context, daemonAddr string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", daemonAddr)
	if err != nil {
		return "", fmt.Errorf("connect to daemon: %w", err)
	}
	defer conn.Close()
	return "token", nil
}

// dialSSH establishes an SSH connection without JWT authentication
func dialSSH(ctx context.Context, network, addr string, config *ClientConfig) (*Client, error) {
	dialer := &net.Dialer{}
	conn, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}

	clientConn, err := NewClientConn(conn, addr, config)
	if err != nil {
		if closeErr := conn.Close(); closeErr != nil {
			log.Printf("connection close after handshake failure: %v", closeErr)
		}
		return nil, fmt.Errorf("ssh handshake: %w", err)
	}

	client := NewClient(clientConn)
	return &Client{
		client: client,
	}, nil
}

// dialWithJWT establishes an SSH connection with optional JWT authentication based on server detection.
func dialWithJWT(ctx context.Context, network, addr string, config *ClientConfig, daemonAddr string) (*Client, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("parse address %s: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("parse port %s: %w", portStr, err)
	}

	detectionCtx, cancel := context.WithTimeout(ctx, config.Timeout)
	defer cancel()

	dialer := &net.Dialer{}
	requiresJWT, err := detectRequiresJWT(detectionCtx, dialer, host, port)
	if err != nil {
		return nil, fmt.Errorf("SSH server detection: %w", err)
	}

	if !requiresJWT {
		return dialSSH(ctx, network, addr, config)
	}

	jwtCtx, cancel := context.WithTimeout(ctx, config.Timeout)
	defer cancel()

	jwtToken, err := requestJWTToken(jwtCtx, daemonAddr)
	if err != nil {
		return nil, fmt.Errorf("request JWT token: %w", err)
	}

	configWithJWT := *config
	configWithJWT.JWT = jwtToken
	return dialSSH(ctx, network, addr, &configWithJWT)
}
