// Recall case sd-keda-mongo
// Source: github.com/kedacore/keda commit d1bed54635e94e4601ba46b42d6c308a4a1297ef (pkg/scalers/mongo_scaler.go)
// Link: https://github.com/kedacore/keda/commit/d1bed54635e94e4601ba46b42d6c308a4a1297ef
// Bug: mongoDBScaler.GetMetrics(ctx)/IsActive(ctx) call getQueryResult(), which starts a fresh context.WithTimeout(context.Background(), mongoDBDefaultTimeOut) for CountDocuments, so the caller's deadline/cancellation is ignored.
// Fix: getQueryResult takes the caller's ctx and derives its timeout from it (context.WithTimeout(ctx, mongoDBDefaultTimeOut)); GetMetrics/IsActive pass ctx.
// Rule: sharedeadline
package scalers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Client is a stand-in for *mongo.Client: like the driver, every operation
// dials the server with the operation's ctx and bounds the socket I/O with the
// ctx deadline and cancellation (and nothing else).
type Client struct {
	addr string
}

// NewClient parses a mongodb:// connection string.
func NewClient(connStr string) (*Client, error) {
	u, err := url.Parse(connStr)
	if err != nil {
		return nil, err
	}
	return &Client{addr: u.Host}, nil
}

// Database is a stand-in for *mongo.Database.
type Database struct {
	client *Client
	name   string
}

// Collection is a stand-in for *mongo.Collection.
type Collection struct {
	db   *Database
	name string
}

// Database returns a handle for the named database.
func (c *Client) Database(name string) *Database { return &Database{client: c, name: name} }

// Collection returns a handle for the named collection.
func (d *Database) Collection(name string) *Collection { return &Collection{db: d, name: name} }

// CountDocuments sends a count command and reads the reply, bounded by ctx.
func (coll *Collection) CountDocuments(ctx context.Context, filter map[string]any) (int64, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", coll.db.client.addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()

	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return 0, err
		}
	}
	stop := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
	})
	defer stop()

	cmd := map[string]any{"count": coll.name, "$db": coll.db.name, "query": filter}
	if err := json.NewEncoder(conn).Encode(cmd); err != nil {
		return 0, err
	}

	var reply struct {
		N  int64   `json:"n"`
		OK float64 `json:"ok"`
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("count: %w", ctx.Err())
		}
		return 0, err
	}
	if err := json.Unmarshal(line, &reply); err != nil {
		return 0, err
	}
	if reply.OK != 1 {
		return 0, fmt.Errorf("count failed")
	}
	return reply.N, nil
}
