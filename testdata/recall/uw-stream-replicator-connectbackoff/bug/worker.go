// Recall case uw-stream-replicator-connectbackoff
// Source: github.com/choria-legacy/stream-replicator commit d7190f9a1302db38f10521d1483602b4712149af (replicator/worker.go)
// Link: https://github.com/choria-legacy/stream-replicator/commit/d7190f9a1302db38f10521d1483602b4712149af
// Bug: connectSTAN and connectNATS retry the initial connection with time.Sleep(backoff) even though they have a ctx, so shutdown (ctx cancellation) is only noticed after the full backoff sleep.
// Fix: Replace time.Sleep with a time.NewTimer and a select on timer.C and ctx.Done(), returning nil when ctx is done.
// Rule: uncancellablewait
package replicator

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"sync"
	"time"
)

// natsConn is a stand-in for *nats.Conn: a TCP connection to the first reachable server.
type natsConn struct {
	conn net.Conn
	url  string
}

func (n *natsConn) ConnectedUrl() string { return n.url }

// natsConnect is a stand-in for nats.Connect (which dials with a 2s default timeout).
func natsConnect(urls string, name string) (*natsConn, error) {
	var lastErr error
	for _, u := range strings.Split(urls, ",") {
		addr := strings.TrimPrefix(strings.TrimSpace(u), "nats://")
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			lastErr = err
			continue
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil { // INFO line
			c.Close()
			lastErr = err
			continue
		}
		c.SetReadDeadline(time.Time{})
		fmt.Fprintf(c, "CONNECT {\"name\":%q}\r\n", name)
		return &natsConn{conn: c, url: u}, nil
	}
	return nil, fmt.Errorf("nats: no servers available for connection: %v", lastErr)
}

// stanConn is a stand-in for stan.Conn.
type stanConn struct {
	nc        *natsConn
	clusterID string
	clientID  string
}

func (s *stanConn) Close() error { return s.nc.conn.Close() }

// stanConnect is a stand-in for stan.Connect(cid, name, stan.NatsConn(n)).
func stanConnect(cid string, name string, n *natsConn) (*stanConn, error) {
	n.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	defer n.conn.SetWriteDeadline(time.Time{})
	if _, err := fmt.Fprintf(n.conn, "PUB _STAN.discover.%s 0\r\n\r\n", cid); err != nil {
		return nil, err
	}
	return &stanConn{nc: n, clusterID: cid, clientID: name}, nil
}

type topicConf struct {
	Name      string
	SourceID  string
	SourceURL string
	TargetID  string
	TargetURL string
}

type worker struct {
	name   string
	from   *stanConn
	to     *stanConn
	config topicConf
	log    *log.Logger
}

func (w *worker) Run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()

	err := w.connect(ctx)
	if err != nil {
		w.log.Printf("Could not start worker: %s", err.Error())
		return
	}

	<-ctx.Done()
	w.log.Printf("%s existing", w.name)
	w.from.Close()
	w.to.Close()
}

func (w *worker) connect(ctx context.Context) error {
	wg := &sync.WaitGroup{}

	wg.Add(1)
	go func(wg *sync.WaitGroup) {
		defer wg.Done()
		w.from = w.connectSTAN(ctx, w.config.SourceID, w.name, w.config.SourceURL)
	}(wg)

	wg.Add(1)
	go func(wg *sync.WaitGroup) {
		defer wg.Done()
		w.to = w.connectSTAN(ctx, w.config.TargetID, w.name, w.config.TargetURL)
	}(wg)

	wg.Wait()

	if w.from == nil || w.to == nil {
		return fmt.Errorf("Could not establish initial connection to Stream brokers")
	}

	return nil
}

func (w *worker) connectSTAN(ctx context.Context, cid string, name string, urls string) *stanConn {
	n := w.connectNATS(ctx, name, urls)
	if n == nil {
		w.log.Printf("%s NATS connection could not be established, cannot connect to the Stream", name)
		return nil
	}

	var err error
	var conn *stanConn
	try := 0

	for {
		try++

		conn, err = stanConnect(cid, name, n)
		if err != nil {
			w.log.Printf("%s initial connection to the NATS Streaming broker cluster failed: %s", name, err.Error())

			if ctx.Err() != nil {
				w.log.Printf("%s initial connection cancelled due to shut down", name)
				return nil
			}

			s := FiveSec.Duration(try)
			w.log.Printf("%s NATS Stream client sleeping %s after failed connection attempt %d", name, s, try)
			time.Sleep(s)

			continue
		}

		break
	}

	return conn
}

func (w *worker) connectNATS(ctx context.Context, name string, urls string) (natsc *natsConn) {
	var err error
	try := 0

	for {
		try++

		natsc, err = natsConnect(urls, name)
		if err != nil {
			w.log.Printf("%s initial connection to the NATS broker cluster failed: %s", name, err.Error())

			if ctx.Err() != nil {
				w.log.Printf("%s initial connection cancelled due to shut down", name)
				return nil
			}

			s := FiveSec.Duration(try)
			w.log.Printf("%s NATS client sleeping %s after failed connection attempt %d", name, s, try)
			time.Sleep(s)

			continue
		}

		w.log.Printf("%s NATS client connected to %s", name, natsc.ConnectedUrl())

		break
	}

	return
}
