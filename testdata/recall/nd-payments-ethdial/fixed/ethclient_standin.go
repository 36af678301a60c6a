// Recall case nd-payments-ethdial
// Source: github.com/mysteriumnetwork/payments commit 75b55bfb4e12897e0bb5878b6ceb9eef027e9e54 (client/ethclient.go)
// Link: https://github.com/mysteriumnetwork/payments/commit/75b55bfb4e12897e0bb5878b6ceb9eef027e9e54
// Bug: NewReconnectableEthClient and Reconnect dial the Ethereum node with ethclient.Dial, which carries no context or timeout, so a dead node makes the dial hang forever.
// Fix: both functions build a context.WithTimeout(context.Background(), connectTimeout) and call ethclient.DialContext with it.
// Rule: nodeadline
package client

import (
	"context"
	"net"
	"net/url"
)

// Client is a small stand-in for go-ethereum's ethclient.Client: it holds
// the RPC connection to the node.
type Client struct {
	conn net.Conn
}

// Close closes the RPC connection.
func (ec *Client) Close() {
	if ec.conn != nil {
		ec.conn.Close()
	}
}

func rpcHost(rawurl string) string {
	u, err := url.Parse(rawurl)
	if err != nil || u.Host == "" {
		return rawurl
	}
	return u.Host
}

// ethclientDialContext mirrors ethclient.DialContext: the dial is bounded by ctx.
func ethclientDialContext(ctx context.Context, rawurl string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", rpcHost(rawurl))
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn}, nil
}
