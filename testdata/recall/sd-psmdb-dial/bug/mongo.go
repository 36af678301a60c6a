// Recall case sd-psmdb-dial
// Source: github.com/percona/percona-server-mongodb-operator commit ca05f469243c813457c4ead79a12fcb7eda626bc (pkg/psmdb/mongo/mongo.go)
// Link: https://github.com/percona/percona-server-mongodb-operator/commit/ca05f469243c813457c4ead79a12fcb7eda626bc
// Bug: mongo.Dial builds its connect and ping budgets with context.WithTimeout(context.Background(), 10s), so the healthcheck caller's ctx (and its deadline/cancellation) is ignored while dialing and pinging.
// Fix: Dial takes the caller's ctx and derives the connect/ping timeouts from it (context.WithTimeout(ctx, timeout)).
// Rule: sharedeadline
package mongo

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"time"
)

type Config struct {
	Hosts       []string
	ReplSetName string
	Username    string
	Password    string
	TLSConf     *tls.Config
	Direct      bool
}

type Client interface {
	Disconnect(ctx context.Context) error
	Ping(ctx context.Context) error
	IsMaster(ctx context.Context) (string, error)
}

// mongoClient is a small stand-in for *mongo.Client that talks over a real net.Conn.
type mongoClient struct {
	conn net.Conn
	rd   *bufio.Reader
}

// connect is a stand-in for mongo.Connect: it dials the first reachable host.
func connect(ctx context.Context, conf *Config) (*mongoClient, error) {
	var d net.Dialer
	var lastErr error
	for _, h := range conf.Hosts {
		c, err := d.DialContext(ctx, "tcp", h)
		if err != nil {
			lastErr = err
			continue
		}
		if conf.TLSConf != nil {
			c = tls.Client(c, conf.TLSConf)
		}
		return &mongoClient{conn: c, rd: bufio.NewReader(c)}, nil
	}
	return nil, fmt.Errorf("no reachable servers: %w", lastErr)
}

func (c *mongoClient) roundTrip(ctx context.Context, cmd string) (string, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(dl)
	} else {
		_ = c.conn.SetDeadline(time.Time{})
	}
	if _, err := c.conn.Write([]byte(cmd + "\n")); err != nil {
		return "", err
	}
	return c.rd.ReadString('\n')
}

func (c *mongoClient) Ping(ctx context.Context) error {
	_, err := c.roundTrip(ctx, "ping")
	return err
}

func (c *mongoClient) IsMaster(ctx context.Context) (string, error) {
	return c.roundTrip(ctx, "isMaster")
}

func (c *mongoClient) Disconnect(ctx context.Context) error {
	return c.conn.Close()
}

func Dial(conf *Config) (Client, error) {
	ctx, connectcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer connectcancel()

	client, err := connect(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("connect to mongo rs: %w", err)
	}

	defer func() {
		if err != nil {
			derr := client.Disconnect(ctx)
			if derr != nil {
				log.Println(err, "failed to disconnect")
			}
		}
	}()

	ctx, pingcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer pingcancel()

	err = client.Ping(ctx)
	if err != nil {
		return nil, fmt.Errorf("ping mongo: %w", err)
	}

	return client, nil
}

// DialHealthcheck mirrors cmd/mongodb-healthcheck/db.Dial, which has the caller's ctx.
func DialHealthcheck(ctx context.Context, conf *Config) (Client, error) {
	log.Println("Connecting to mongodb", conf.Hosts)

	cl, err := Dial(conf)
	if err != nil {
		cfg := *conf
		cfg.Direct = true
		cfg.ReplSetName = ""
		cl, err = Dial(&cfg)
		if err != nil {
			return nil, fmt.Errorf("filed to dial mongo: %w", err)
		}
	}

	return cl, nil
}

// HealthCheckMongosLiveness mirrors cmd/mongodb-healthcheck/healthcheck.
func HealthCheckMongosLiveness(ctx context.Context, cnf *Config) (err error) {
	client, err := DialHealthcheck(ctx, cnf)
	if err != nil {
		return fmt.Errorf("connection error: %w", err)
	}
	defer func() {
		if derr := client.Disconnect(ctx); derr != nil && err == nil {
			err = fmt.Errorf("failed to disconnect: %w", derr)
		}
	}()

	msg, err := client.IsMaster(ctx)
	if err != nil {
		return fmt.Errorf("get isMaster response: %w", err)
	}
	if msg != "isdbgrid\n" {
		return errors.New("wrong msg")
	}
	return nil
}
