// Recall case nd-rueidis-clusterslots
// Source: github.com/redis/rueidis commit 82a45002992a0f31e7eeb0e4db4735507419399e (cluster.go)
// Link: https://github.com/redis/rueidis/commit/82a45002992a0f31e7eeb0e4db4735507419399e
// Bug: clusterClient._refresh -> getClusterSlots sends CLUSTER SLOTS/SHARDS with c.Do(context.Background(), ...), so a node that never answers keeps the refresh stuck forever.
// Fix: getClusterSlots takes a timeout (opt.ConnWriteTimeout) and uses context.WithTimeout for the Do call.
// Rule: nodeadline
package rueidis

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"time"
)

var (
	slotCmd   = []string{"CLUSTER", "SLOTS"}
	shardsCmd = []string{"CLUSTER", "SHARDS"}
)

type RedisMessage struct {
	values []string
}

type RedisResult struct {
	val RedisMessage
	err error
}

func (r RedisResult) Error() error { return r.err }

type conn interface {
	Do(ctx context.Context, cmd []string) RedisResult
	Version() int
	Addr() string
}

// pipe is a reduced stand-in for rueidis' pipe: it writes the command to the
// net.Conn and blocks reading the reply. The only deadline it applies is the
// one carried by ctx (and it aborts the read when ctx is done).
type pipe struct {
	mu      sync.Mutex
	conn    net.Conn
	r       *bufio.Reader
	addr    string
	version int
}

func (p *pipe) Do(ctx context.Context, cmd []string) RedisResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	dl, _ := ctx.Deadline()
	if err := p.conn.SetDeadline(dl); err != nil {
		return RedisResult{err: err}
	}
	stop := context.AfterFunc(ctx, func() { _ = p.conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := p.conn.Write([]byte(strings.Join(cmd, " ") + "\r\n")); err != nil {
		return RedisResult{err: err}
	}
	line, err := p.r.ReadString('\n')
	if err != nil {
		return RedisResult{err: err}
	}
	return RedisResult{val: RedisMessage{values: strings.Fields(line)}}
}

func (p *pipe) Version() int { return p.version }
func (p *pipe) Addr() string { return p.addr }

type ClientOption struct {
	ConnWriteTimeout time.Duration
}

type connrole struct {
	conn    conn
	replica bool
}

type clusterClient struct {
	opt   *ClientOption
	mu    sync.RWMutex
	conns map[string]connrole
	slots []string
}

type clusterslots struct {
	addr  string
	reply RedisResult
	ver   int
}

func getClusterSlots(c conn, timeout time.Duration) clusterslots {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	v := c.Version()
	if v < 7 {
		return clusterslots{reply: c.Do(ctx, slotCmd), addr: c.Addr(), ver: v}
	}
	return clusterslots{reply: c.Do(ctx, shardsCmd), addr: c.Addr(), ver: v}
}

func (c *clusterClient) _refresh() (err error) {
	c.mu.RLock()
	results := make(chan clusterslots, len(c.conns))
	pending := make([]conn, 0, len(c.conns))
	for _, cc := range c.conns {
		pending = append(pending, cc.conn)
	}
	c.mu.RUnlock()

	var result clusterslots
	for i := 0; i < cap(results); i++ {
		if i&3 == 0 { // batch CLUSTER SLOTS/CLUSTER SHARDS for every 4 connections
			for j := i; j < i+4 && j < len(pending); j++ {
				go func(c conn, timeout time.Duration) {
					results <- getClusterSlots(c, timeout)
				}(pending[j], c.opt.ConnWriteTimeout)
			}
		}
		result = <-results
		err = result.reply.Error()
		if len(result.reply.val.values) != 0 {
			break
		}
	}
	if err != nil {
		return err
	}

	c.mu.Lock()
	c.slots = result.reply.val.values
	c.mu.Unlock()
	return nil
}
