// Recall case uw-goredis-clustersleep
// Source: github.com/redis/go-redis commit c8376129118da7ffe37d35fdfafd3c53eee143a1 (cluster.go)
// Link: https://github.com/redis/go-redis/commit/c8376129118da7ffe37d35fdfafd3c53eee143a1
// Bug: ClusterClient.process retries a command up to MaxRedirects times and sleeps time.Sleep(c.retryBackoff(attempt)) between attempts without watching ctx, and IsRetryableError treats context.DeadlineExceeded (a net.Error timeout) as retryable, so a cancelled/expired request keeps sleeping and retrying instead of returning.
// Fix: the backoff uses internal.Sleep(ctx, ...) which returns ctx.Err() on ctx.Done, and IsRetryableError returns false for context.Canceled / context.DeadlineExceeded.
// Rule: uncancellablewait
package redis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"strings"
	"sync"
	"time"
)

// --- internal (reduced) ---

// Retry backoff with jitter sleep to prevent overloaded conditions during intervals
func RetryBackoff(retry int, minBackoff, maxBackoff time.Duration) time.Duration {
	if retry < 0 {
		retry = 0
	}

	backoff := minBackoff << uint(retry)
	if backoff > maxBackoff || backoff < minBackoff {
		backoff = maxBackoff
	}

	if backoff == 0 {
		return 0
	}
	return time.Duration(rand.Int63n(int64(backoff)))
}

func IsRetryableError(err error, retryTimeout bool) bool {
	if err == nil {
		return false
	}
	if err == io.EOF {
		return true
	}
	if netErr, ok := err.(net.Error); ok {
		if netErr.Timeout() {
			return retryTimeout
		}
		return true
	}
	s := err.Error()
	if s == "ERR max number of clients reached" {
		return true
	}
	if strings.HasPrefix(s, "LOADING ") {
		return true
	}
	if strings.HasPrefix(s, "READONLY ") {
		return true
	}
	if strings.HasPrefix(s, "CLUSTERDOWN ") {
		return true
	}
	return false
}

func IsLoadingError(err error) bool  { return strings.HasPrefix(err.Error(), "LOADING ") }
func IsReadOnlyError(err error) bool { return strings.HasPrefix(err.Error(), "READONLY ") }

func IsMovedError(err error) (moved bool, ask bool, addr string) {
	s := err.Error()
	switch {
	case strings.HasPrefix(s, "MOVED "):
		moved = true
	case strings.HasPrefix(s, "ASK "):
		ask = true
	default:
		return
	}
	ind := strings.LastIndex(s, " ")
	if ind == -1 {
		return false, false, ""
	}
	addr = s[ind+1:]
	return
}

// --- redis.go / command.go (reduced) ---

var Nil = errors.New("redis: nil")
var ErrClosed = errors.New("redis: client is closed")

type Cmder interface {
	Name() string
	Args() []interface{}
	setErr(error)
	Err() error
}

type Cmd struct {
	args []interface{}
	err  error
	val  string
}

func NewCmd(args ...interface{}) *Cmd { return &Cmd{args: args} }

func (cmd *Cmd) Name() string        { return strings.ToLower(fmt.Sprint(cmd.args[0])) }
func (cmd *Cmd) Args() []interface{} { return cmd.args }
func (cmd *Cmd) setErr(err error)    { cmd.err = err }
func (cmd *Cmd) Err() error          { return cmd.err }

// Client is a single-node client dialing the node for each command.
type Client struct {
	addr string
}

func (c *Client) ProcessContext(ctx context.Context, cmd Cmder) error {
	var d net.Dialer
	cn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		cmd.setErr(err)
		return err
	}
	defer cn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		cn.SetDeadline(deadline)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(cmd.Args()))
	for _, a := range cmd.Args() {
		s := fmt.Sprint(a)
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(s), s)
	}
	if _, err := io.WriteString(cn, b.String()); err != nil {
		cmd.setErr(err)
		return err
	}
	line, err := bufio.NewReader(cn).ReadString('\n')
	if err != nil {
		cmd.setErr(err)
		return err
	}
	if strings.HasPrefix(line, "-") {
		err = errors.New(strings.TrimSpace(line[1:]))
	}
	cmd.setErr(err)
	return err
}

// Pipeline sends a batch of commands.
type Pipeline struct {
	client *Client
	cmds   []Cmder
}

func (c *Client) Pipeline() *Pipeline { return &Pipeline{client: c} }

func (p *Pipeline) Process(cmd Cmder) error {
	p.cmds = append(p.cmds, cmd)
	return nil
}

func (p *Pipeline) ExecContext(ctx context.Context) ([]Cmder, error) {
	var firstErr error
	for _, cmd := range p.cmds {
		if err := p.client.ProcessContext(ctx, cmd); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return p.cmds, firstErr
}

func (p *Pipeline) Close() error { p.cmds = nil; return nil }

// --- cluster.go (reduced) ---

type ClusterOptions struct {
	Addrs           []string
	MaxRedirects    int
	ReadOnly        bool
	MinRetryBackoff time.Duration
	MaxRetryBackoff time.Duration
}

type clusterNode struct {
	Client  *Client
	failing int64
}

func (n *clusterNode) MarkAsFailing() { n.failing = time.Now().Unix() }

type clusterNodes struct {
	mu    sync.Mutex
	nodes map[string]*clusterNode
}

func (c *clusterNodes) Get(addr string) (*clusterNode, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	node, ok := c.nodes[addr]
	if !ok {
		node = &clusterNode{Client: &Client{addr: addr}}
		c.nodes[addr] = node
	}
	return node, nil
}

type clusterState struct {
	masters []*clusterNode
}

func (s *clusterState) slotMasterNode(slot int) (*clusterNode, error) {
	if len(s.masters) == 0 {
		return nil, errors.New("redis: cluster has no nodes")
	}
	return s.masters[slot%len(s.masters)], nil
}

type clusterStateHolder struct {
	mu    sync.Mutex
	state *clusterState
}

func (h *clusterStateHolder) Get() (*clusterState, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state == nil {
		return nil, errors.New("redis: cluster state not loaded")
	}
	return h.state, nil
}

func (h *clusterStateHolder) LazyReload() {}

type CommandInfo struct {
	Name     string
	ReadOnly bool
}

type ClusterClient struct {
	opt   *ClusterOptions
	nodes *clusterNodes
	state *clusterStateHolder
}

func NewClusterClient(opt *ClusterOptions) *ClusterClient {
	if opt.MaxRedirects == 0 {
		opt.MaxRedirects = 8
	}
	if opt.MinRetryBackoff == 0 {
		opt.MinRetryBackoff = 8 * time.Millisecond
	}
	if opt.MaxRetryBackoff == 0 {
		opt.MaxRetryBackoff = 512 * time.Millisecond
	}
	c := &ClusterClient{opt: opt, nodes: &clusterNodes{nodes: map[string]*clusterNode{}}}
	st := &clusterState{}
	for _, addr := range opt.Addrs {
		n, _ := c.nodes.Get(addr)
		st.masters = append(st.masters, n)
	}
	c.state = &clusterStateHolder{state: st}
	return c
}

func (c *ClusterClient) cmdInfo(name string) *CommandInfo {
	return &CommandInfo{Name: name, ReadOnly: name == "get"}
}

func (c *ClusterClient) cmdSlot(cmd Cmder) int {
	args := cmd.Args()
	if len(args) < 2 {
		return 0
	}
	key := fmt.Sprint(args[1])
	h := 0
	for i := 0; i < len(key); i++ {
		h = h*31 + int(key[i])
	}
	if h < 0 {
		h = -h
	}
	return h % 16384
}

func (c *ClusterClient) cmdNode(cmdInfo *CommandInfo, slot int) (*clusterNode, error) {
	state, err := c.state.Get()
	if err != nil {
		return nil, err
	}
	return state.slotMasterNode(slot)
}

func (c *ClusterClient) retryBackoff(attempt int) time.Duration {
	return RetryBackoff(attempt, c.opt.MinRetryBackoff, c.opt.MaxRetryBackoff)
}

// Do creates a Cmd from the args and processes the cmd.
func (c *ClusterClient) Do(ctx context.Context, args ...interface{}) *Cmd {
	cmd := NewCmd(args...)
	_ = c.process(ctx, cmd)
	return cmd
}

func (c *ClusterClient) process(ctx context.Context, cmd Cmder) error {
	cmdInfo := c.cmdInfo(cmd.Name())
	slot := c.cmdSlot(cmd)

	var node *clusterNode
	var ask bool
	for attempt := 0; attempt <= c.opt.MaxRedirects; attempt++ {
		var err error

		if attempt > 0 {
			time.Sleep(c.retryBackoff(attempt))
		}

		if node == nil {
			node, err = c.cmdNode(cmdInfo, slot)
			if err != nil {
				cmd.setErr(err)
				break
			}
		}

		if ask {
			pipe := node.Client.Pipeline()
			_ = pipe.Process(NewCmd("ASKING"))
			_ = pipe.Process(cmd)
			_, err = pipe.ExecContext(ctx)
			_ = pipe.Close()
			ask = false
		} else {
			err = node.Client.ProcessContext(ctx, cmd)
		}

		// If there is no error - we are done.
		if err == nil {
			break
		}
		if err != Nil {
			c.state.LazyReload()
		}

		// If slave is loading - pick another node.
		if c.opt.ReadOnly && IsLoadingError(err) {
			node.MarkAsFailing()
			node = nil
			continue
		}

		var moved bool
		var addr string
		moved, ask, addr = IsMovedError(err)
		if moved || ask {
			node, err = c.nodes.Get(addr)
			if err != nil {
				break
			}
			continue
		}

		if err == ErrClosed || IsReadOnlyError(err) {
			node = nil
			continue
		}

		if IsRetryableError(err, true) {
			// First retry the same node.
			if attempt == 0 {
				continue
			}

			// Second try another node.
			node.MarkAsFailing()
			node = nil
			continue
		}

		break
	}

	return cmd.Err()
}
