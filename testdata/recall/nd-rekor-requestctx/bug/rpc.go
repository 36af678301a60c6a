// Recall case nd-rekor-requestctx
// Source: github.com/sigstore/rekor commit 89175c2f231bb8c3d15bd63c58c2197f6d52f5f5 (pkg/api/trillian_client.go, pkg/api/api.go, pkg/api/entries.go)
// Link: https://github.com/sigstore/rekor/commit/89175c2f231bb8c3d15bd63c58c2197f6d52f5f5
// Bug: The API builds one TrillianClient at startup holding context.Background() in a struct field; every request handler calls the log server RPC (QueueLeaf) with that stored context, so the outbound call has no deadline and is never cancelled with the HTTP request.
// Fix: Handlers build a TrillianClient per request from params.HTTPRequest.Context(), so the RPC runs on the request context.
// Rule: nodeadline
package api

import (
	"context"
	"encoding/json"
	"net"
	"time"
)

// LogLeaf, QueueLeafRequest and QueueLeafResponse stand in for the trillian protobuf types.
type LogLeaf struct {
	LeafValue      []byte
	MerkleLeafHash []byte
}

type QueueLeafRequest struct {
	LogId int64
	Leaf  *LogLeaf
}

type QueueLeafResponse struct {
	QueuedLeaf *LogLeaf
}

// TrillianLogClient stands in for trillian.TrillianLogClient (a gRPC client).
type TrillianLogClient interface {
	QueueLeaf(ctx context.Context, in *QueueLeafRequest) (*QueueLeafResponse, error)
}

// logClient speaks a JSON request/response protocol over TCP; like gRPC it is
// bounded only by the context passed to each call.
type logClient struct {
	addr   string
	dialer net.Dialer
}

func (c *logClient) QueueLeaf(ctx context.Context, in *QueueLeafRequest) (*QueueLeafResponse, error) {
	conn, err := c.dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	if err := json.NewEncoder(conn).Encode(in); err != nil {
		return nil, err
	}
	out := &QueueLeafResponse{}
	if err := json.NewDecoder(conn).Decode(out); err != nil {
		return nil, err
	}
	return out, nil
}

func dial(ctx context.Context, rpcServer string) (TrillianLogClient, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()

	// Set up and test connection to rpc server
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", rpcServer)
	if err != nil {
		return nil, err
	}
	conn.Close()
	return &logClient{addr: rpcServer}, nil
}
