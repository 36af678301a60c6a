// Recall case nd-kops-dumpnode
// Source: github.com/kubernetes/kops commit e24a3e7b9bab388b511d51c963d0caff87628854 (pkg/dump/dumper.go)
// Link: https://github.com/kubernetes/kops/commit/e24a3e7b9bab388b511d51c963d0caff87628854
// Bug: logDumper.dumpNode hands the command's context (context.Background() from main, no deadline) to connectToNode/Dial and ExecPiped, so the SSH handshake/session reads on an unreachable node block until the OS TCP timeout (~15 min) or forever.
// Fix: dumpNode wraps ctx in context.WithTimeout(ctx, nodeDumpTimeout) (one minute) before connecting and dumping.
// Rule: nodeadline
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	ctx := context.Background()
	if err := run(ctx); err != nil {
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	options := &ToolboxDumpOptions{Dir: "artifacts", MaxNodes: 500}
	return RunToolboxDump(ctx, os.Args[1:], options)
}

// ToolboxDumpOptions holds the options of "kops toolbox dump".
type ToolboxDumpOptions struct {
	Dir      string
	MaxNodes int
	Bastion  string
}

// RunToolboxDump dumps the logs of the given nodes (addresses come from the
// kubernetes/cloud listing in the real command).
func RunToolboxDump(ctx context.Context, nodeAddrs []string, options *ToolboxDumpOptions) error {
	var nodes []Node
	for i, a := range nodeAddrs {
		nodes = append(nodes, Node{Name: fmt.Sprintf("node-%d", i), ExternalIP: a})
	}
	dumper := NewLogDumper(options.Bastion, options.Dir)
	if err := dumper.DumpAllNodes(ctx, nodes, options.MaxNodes); err != nil {
		return fmt.Errorf("error dumping nodes: %v", err)
	}
	return nil
}

// Node stands in for corev1.Node.
type Node struct {
	Name       string
	ExternalIP string
	InternalIP string
}

// logDumper gets all the nodes from a kubernetes cluster and dumps a well-known set of logs
type logDumper struct {
	sshClientFactory sshClientFactory

	artifactsDir string

	services []string
}

// NewLogDumper is the constructor for a logDumper
func NewLogDumper(bastionAddress string, artifactsDir string) *logDumper {
	sshClientFactory := &sshClientFactoryImplementation{}
	if bastionAddress != "" {
		sshClientFactory.bastion = bastionAddress
	}
	return &logDumper{
		sshClientFactory: sshClientFactory,
		artifactsDir:     artifactsDir,
		services:         []string{"kubelet", "containerd", "kops-configuration"},
	}
}

// DumpAllNodes connects to every node and dumps the logs.
func (d *logDumper) DumpAllNodes(ctx context.Context, nodes []Node, maxNodesToDump int) error {
	var dumped []string
	for i := range nodes {
		if len(dumped) >= maxNodesToDump {
			log.Printf("stopping dumping nodes: %d nodes dumped", maxNodesToDump)
			return nil
		}
		node := &nodes[i]
		ip, err := d.dumpRegistered(ctx, node)
		if err != nil {
			log.Printf("could not dump node %s: %v", node.Name, err)
		} else {
			dumped = append(dumped, ip)
		}
	}
	return nil
}

func (d *logDumper) dumpRegistered(ctx context.Context, node *Node) (string, error) {
	if ctx.Err() != nil {
		log.Printf("stopping dumping nodes: %v", ctx.Err())
		return "", ctx.Err()
	}

	if node.ExternalIP != "" {
		return node.ExternalIP, d.dumpNode(ctx, node.Name, node.ExternalIP, false)
	}
	useBastion := d.sshClientFactory.HasBastion()
	return node.InternalIP, d.dumpNode(ctx, node.Name, node.InternalIP, useBastion)
}

// nodeDumpTimeout bounds the time spent connecting to and dumping a single node.
// A healthy node dumps in well under a minute. Without this cap, an SSH operation
// against an unreachable node blocks until the OS TCP timeout (~15 min) expires.
const nodeDumpTimeout = time.Minute

// DumpNode connects to a node and dumps the logs.
func (d *logDumper) dumpNode(ctx context.Context, name string, ip string, useBastion bool) error {
	if ip == "" {
		return fmt.Errorf("could not find address for %v, ", name)
	}

	log.Printf("Dumping node %s", name)

	ctx, cancel := context.WithTimeout(ctx, nodeDumpTimeout)
	defer cancel()

	n, err := d.connectToNode(ctx, name, ip, useBastion)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}

	errors := n.dump(ctx)
	for _, e := range errors {
		log.Printf("error dumping node %s: %v", name, e)
	}

	if err := n.Close(); err != nil {
		log.Printf("error closing connection: %v", err)
	}

	return nil
}

// sshClient is an interface abstracting *ssh.Client, which allows us to test it
type sshClient interface {
	io.Closer

	// ExecPiped runs the command, piping stdout & stderr
	ExecPiped(ctx context.Context, command string, stdout io.Writer, stderr io.Writer) error
}

// sshClientFactory is an interface abstracting to a node over SSH
type sshClientFactory interface {
	Dial(ctx context.Context, host string, useBastion bool) (sshClient, error)
	HasBastion() bool
}

// logDumperNode holds state for a particular node we are dumping
type logDumperNode struct {
	client sshClient
	dumper *logDumper

	dir string
}

// connectToNode makes an SSH connection to the node and returns a logDumperNode
func (d *logDumper) connectToNode(ctx context.Context, nodeName string, host string, useBastion bool) (*logDumperNode, error) {
	client, err := d.sshClientFactory.Dial(ctx, host, useBastion)
	if err != nil {
		return nil, fmt.Errorf("unable to SSH to %q: %v", host, err)
	}
	return &logDumperNode{
		client: client,
		dir:    filepath.Join(d.artifactsDir, nodeName),
		dumper: d,
	}, nil
}

// Close cleans up any state in the logDumperNode
func (n *logDumperNode) Close() error {
	return n.client.Close()
}

// dump captures the well-known set of logs
func (n *logDumperNode) dump(ctx context.Context) []error {
	if ctx.Err() != nil {
		return []error{ctx.Err()}
	}

	var errors []error

	if err := n.shellToFile(ctx, "sudo journalctl --output=short-precise -k", filepath.Join(n.dir, "kern.log")); err != nil {
		errors = append(errors, err)
	}

	services, err := n.listSystemdUnits(ctx)
	if err != nil {
		errors = append(errors, fmt.Errorf("error listing systemd services: %v", err))
	}
	for _, s := range n.dumper.services {
		name := s + ".service"
		for _, service := range services {
			if service == name {
				if err := n.shellToFile(ctx, "sudo journalctl --output=cat -u "+name, filepath.Join(n.dir, s+".log")); err != nil {
					errors = append(errors, err)
				}
			}
		}
	}
	return errors
}

// listSystemdUnits returns the list of systemd units on the node
func (n *logDumperNode) listSystemdUnits(ctx context.Context) ([]string, error) {
	var stdout bytes.Buffer
	var stderr bytes.Buffer

	err := n.client.ExecPiped(ctx, "sudo systemctl list-units -t service --no-pager --no-legend --all", &stdout, &stderr)
	if err != nil {
		return nil, fmt.Errorf("error listing systemd units: %v", err)
	}

	var services []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		tokens := strings.Fields(line)
		if len(tokens) == 0 || tokens[0] == "" {
			continue
		}
		services = append(services, tokens[0])
	}
	return services, nil
}

// shellToFile executes a command and copies the output to a file
func (n *logDumperNode) shellToFile(ctx context.Context, command string, destPath string) error {
	if err := os.MkdirAll(filepath.Dir(destPath), 0o755); err != nil {
		log.Printf("unable to mkdir on %q: %v", filepath.Dir(destPath), err)
	}

	f, err := os.Create(destPath)
	if err != nil {
		return fmt.Errorf("error creating file %q: %v", destPath, err)
	}
	defer f.Close()

	if err := n.client.ExecPiped(ctx, command, f, f); err != nil {
		return fmt.Errorf("error executing command %q: %v", command, err)
	}

	return nil
}

// ---- stand-in for golang.org/x/crypto/ssh: a client connection over a
// net.Conn; the handshake and sessions read from the conn with no deadline of
// their own (like x/crypto/ssh). ----

type sshClientConn struct {
	conn net.Conn
	r    *bufio.Reader
}

// newClientConn stands in for ssh.NewClientConn: exchange version banners.
func newClientConn(conn net.Conn) (*sshClientConn, error) {
	if _, err := io.WriteString(conn, "SSH-2.0-Go\r\n"); err != nil {
		return nil, err
	}
	r := bufio.NewReader(conn)
	banner, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("ssh: handshake failed: %w", err)
	}
	if !strings.HasPrefix(banner, "SSH-2.0-") {
		return nil, fmt.Errorf("ssh: unexpected banner %q", banner)
	}
	return &sshClientConn{conn: conn, r: r}, nil
}

// run stands in for session.Run: send the command, copy output until the
// end-of-output marker line.
func (c *sshClientConn) run(cmd string, stdout io.Writer) error {
	if _, err := io.WriteString(c.conn, cmd+"\n"); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "\x00EOF\n" {
			return nil
		}
		if _, err := io.WriteString(stdout, line); err != nil {
			return err
		}
	}
}

func (c *sshClientConn) Close() error { return c.conn.Close() }

// sshClientImplementation is the default implementation of sshClient
type sshClientImplementation struct {
	client    *sshClientConn
	forwardTo string
}

// ExecPiped implements sshClientImplementation::ExecPiped
func (s *sshClientImplementation) ExecPiped(ctx context.Context, cmd string, stdout io.Writer, stderr io.Writer) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}

	finished := make(chan error)
	go func() {
		if s.forwardTo != "" {
			cmd = fmt.Sprintf("ssh -o 'StrictHostKeyChecking no' %s %s", s.forwardTo, cmd)
		}
		finished <- s.client.run(cmd, stdout)
	}()

	select {
	case <-ctx.Done():
		log.Printf("closing SSH tcp connection due to context completion")
		s.Close()
		<-finished // Wait for cancellation
		return ctx.Err()

	case err := <-finished:
		return err
	}
}

// Close implements sshClientImplementation::Close
func (s *sshClientImplementation) Close() error {
	return s.client.Close()
}

// sshClientFactoryImplementation is the default implementation of sshClientFactory
type sshClientFactoryImplementation struct {
	bastion string
}

// HasBastion implements sshClientFactory::HasBastion
func (f *sshClientFactoryImplementation) HasBastion() bool {
	return f.bastion != ""
}

// Dial implements sshClientFactory::Dial
func (f *sshClientFactoryImplementation) Dial(ctx context.Context, host string, useBastion bool) (sshClient, error) {
	addr := host
	if useBastion {
		if f.bastion == "" {
			return nil, fmt.Errorf("bastion is not set, but useBastion is true")
		}
		addr = f.bastion
	}

	if addr == "" {
		return nil, fmt.Errorf("host is empty")
	}
	addr = net.JoinHostPort(addr, "22")
	d := net.Dialer{
		Timeout: 5 * time.Second,
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("error dialing tcp %s: %w", addr, err)
	}

	// We have a TCP connection; we will force-close it to support context cancellation

	var client *sshClientConn
	finished := make(chan error)
	go func() {
		c, err := newClientConn(conn)
		if err == nil {
			client = c
		}
		finished <- err
	}()

	select {
	case <-ctx.Done():
		log.Printf("cancelling SSH tcp connection due to context completion")
		conn.Close() // Close the TCP connection to force cancellation
		<-finished   // Wait for cancellation
		return nil, ctx.Err()
	case err := <-finished:
		if err != nil {
			return nil, err
		}
		if !useBastion {
			host = ""
		}
		return &sshClientImplementation{
			client:    client,
			forwardTo: host,
		}, nil
	}
}
