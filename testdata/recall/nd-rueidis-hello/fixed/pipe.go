// Recall case nd-rueidis-hello
// Source: github.com/redis/rueidis commit f4d85bf83fd2ba7f563331c764afbd42d1d598f2 (pipe.go)
// Link: https://github.com/redis/rueidis/commit/f4d85bf83fd2ba7f563331c764afbd42d1d598f2
// Bug: newPipe sends the HELLO / CLIENT TRACKING / SELECT handshake with p.DoMulti(context.Background(), ...), so a server that accepts the TCP connection but never replies blocks connection setup forever.
// Fix: bound the handshake with context.WithTimeout(context.Background(), option.Dialer.Timeout or DefaultDialTimeout).
// Rule: nodeadline
package rueidis

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

const DefaultDialTimeout = 5 * time.Second

type ClientOption struct {
	Dialer     net.Dialer
	Username   string
	Password   string
	ClientName string
	SelectDB   int
}

type RedisResult struct {
	val []string
	err error
}

func (r RedisResult) Error() error { return r.err }

func (r RedisResult) ToMap() (map[string]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	m := make(map[string]string, len(r.val)/2)
	for i := 0; i+1 < len(r.val); i += 2 {
		m[r.val[i]] = r.val[i+1]
	}
	return m, nil
}

type pipe struct {
	mu      sync.Mutex
	conn    net.Conn
	r       *bufio.Reader
	info    map[string]string
	version int32
}

// DoMulti is a reduced stand-in for rueidis' pipe.DoMulti: it writes every
// command to the net.Conn and blocks reading one reply line per command. The
// only deadline it applies is the one carried by ctx (and it aborts the I/O
// when ctx is done).
func (p *pipe) DoMulti(ctx context.Context, multi ...[]string) []RedisResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	resp := make([]RedisResult, len(multi))
	dl, _ := ctx.Deadline()
	if err := p.conn.SetDeadline(dl); err != nil {
		for i := range resp {
			resp[i].err = err
		}
		return resp
	}
	stop := context.AfterFunc(ctx, func() { _ = p.conn.SetDeadline(time.Now()) })
	defer stop()
	for i, cmd := range multi {
		if _, err := p.conn.Write([]byte(strings.Join(cmd, " ") + "\r\n")); err != nil {
			resp[i].err = err
			continue
		}
		line, err := p.r.ReadString('\n')
		if err != nil {
			resp[i].err = err
			continue
		}
		if strings.HasPrefix(line, "-") {
			resp[i].err = errors.New(strings.TrimSpace(line[1:]))
			continue
		}
		resp[i].val = strings.Fields(line)
	}
	return resp
}

func (p *pipe) Close() {
	_ = p.conn.Close()
}

func newPipe(conn net.Conn, option *ClientOption) (p *pipe, err error) {
	p = &pipe{
		conn: conn,
		r:    bufio.NewReader(conn),
	}

	helloCmd := []string{"HELLO", "3"}
	if option.Password != "" && option.Username == "" {
		helloCmd = append(helloCmd, "AUTH", "default", option.Password)
	} else if option.Username != "" {
		helloCmd = append(helloCmd, "AUTH", option.Username, option.Password)
	}
	if option.ClientName != "" {
		helloCmd = append(helloCmd, "SETNAME", option.ClientName)
	}

	init := [][]string{helloCmd, {"CLIENT", "TRACKING", "ON", "OPTIN"}}
	if option.SelectDB != 0 {
		init = append(init, []string{"SELECT", strconv.Itoa(option.SelectDB)})
	}

	timeout := option.Dialer.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	for i, r := range p.DoMulti(ctx, init...) {
		if i == 0 {
			p.info, err = r.ToMap()
		} else {
			err = r.Error()
		}
		if err != nil {
			p.Close()
			return nil, err
		}
	}

	if ver, ok := p.info["version"]; ok {
		if v := strings.Split(ver, "."); len(v) != 0 {
			vv, _ := strconv.ParseInt(v[0], 10, 32)
			p.version = int32(vv)
		}
	}

	return p, nil
}
