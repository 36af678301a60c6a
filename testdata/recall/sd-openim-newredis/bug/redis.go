// Recall case sd-openim-newredis
// Source: github.com/openimsdk/open-im-server commit 9976c00f8e5619ece77d8148baca06e72c91083a (pkg/common/db/cache/init_redis.go)
// Link: https://github.com/openimsdk/open-im-server/commit/9976c00f8e5619ece77d8148baca06e72c91083a
// Bug: NewRedis takes the caller's ctx but pings Redis under a fresh context.WithTimeout(context.Background(), 10s) that shadows it, so the caller's cancellation and deadline are ignored during startup.
// Fix: the ping timeout is derived from the caller's ctx: context.WithTimeout(ctx, time.Second*10).
// Rule: sharedeadline
package cache

// Stand-in for go-redis: Ping dials the server with the given ctx and speaks
// the RESP protocol over a real TCP connection, honouring ctx's deadline.

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

type RedisConfig struct {
	Address        []string
	Username       string
	Password       string
	ClusterMode    bool
	EnablePipeline bool
}

type UniversalClient interface {
	Ping(ctx context.Context) error
}

type Options struct {
	Addr       string
	Username   string
	Password   string
	DB         int
	PoolSize   int
	MaxRetries int
}

type ClusterOptions struct {
	Addrs      []string
	Username   string
	Password   string
	PoolSize   int
	MaxRetries int
}

type client struct {
	addrs    []string
	username string
	password string
}

func NewClient(o *Options) UniversalClient {
	return &client{addrs: []string{o.Addr}, username: o.Username, password: o.Password}
}

func NewClusterClient(o *ClusterOptions) UniversalClient {
	return &client{addrs: o.Addrs, username: o.Username, password: o.Password}
}

func (c *client) Ping(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addrs[0])
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	r := bufio.NewReader(conn)
	if c.password != "" {
		if _, err := fmt.Fprintf(conn, "AUTH %s %s\r\n", c.username, c.password); err != nil {
			return err
		}
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("redis: unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}
