// Recall case nd-neofs-node-balance
// Source: github.com/nspcc-dev/neofs-node commit 42ab0199e1ad4a897a487f8b80e9c34768068d14 (cmd/neofs-cli/internal/client/sdk.go)
// Link: https://github.com/nspcc-dev/neofs-node/commit/42ab0199e1ad4a897a487f8b80e9c34768068d14
// Bug: The 'accounting balance' command builds its context with context.Background(), so the SDK client dial and the BalanceGet RPC run with no deadline and ignore the --timeout flag.
// Fix: The command takes its context from commonflags.GetCommandContext(cmd) (cmd context plus the --timeout flag) and registers the timeout flag.
// Rule: nodeadline
package accounting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

var errInvalidEndpoint = errors.New("provided RPC endpoint is incorrect")

// Client is a stand-in for neofs-sdk-go client.Client: a connection to one
// storage node that performs RPCs over HTTP.
type Client struct {
	uri           string
	conn          net.Conn
	hc            *http.Client
	streamTimeout time.Duration
}

// PrmDial groups dial parameters (stand-in for client.PrmDial).
type PrmDial struct {
	uri           string
	ctx           context.Context
	timeout       time.Duration
	streamTimeout time.Duration
}

func (p *PrmDial) SetServerURI(uri string)          { p.uri = uri }
func (p *PrmDial) SetContext(ctx context.Context)   { p.ctx = ctx }
func (p *PrmDial) SetTimeout(t time.Duration)       { p.timeout = t }
func (p *PrmDial) SetStreamTimeout(t time.Duration) { p.streamTimeout = t }

// Dial opens the connection to the node; it is bounded only by prm's context
// and optional timeout.
func (c *Client) Dial(prm PrmDial) error {
	d := net.Dialer{Timeout: prm.timeout}
	conn, err := d.DialContext(prm.ctx, "tcp", prm.uri)
	if err != nil {
		return err
	}
	c.uri = prm.uri
	c.conn = conn
	c.streamTimeout = prm.streamTimeout
	c.hc = &http.Client{Timeout: prm.streamTimeout, Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return conn, nil },
	}}
	return nil
}

// BalanceGet requests the balance of the account from the node.
func (c *Client) BalanceGet(ctx context.Context, account string) (int64, error) {
	body, _ := json.Marshal(map[string]string{"account": account})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.uri+"/accounting/balance", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Value int64 `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	return out.Value, nil
}

// GetSDKClientByFlag returns default neofs-sdk-go client using the specified flag for the address.
// On error, outputs to stderr of cmd and exits with non-zero code.
func GetSDKClientByFlag(ctx context.Context, endpointFlag string) (*Client, error) {
	cli, err := getSDKClientByFlag(ctx, endpointFlag)
	if err != nil {
		return nil, fmt.Errorf("can't create API client: %w", err)
	}
	return cli, nil
}

func getSDKClientByFlag(ctx context.Context, endpointFlag string) (*Client, error) {
	addr := viperGetString(endpointFlag)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidEndpoint, err)
	}
	return GetSDKClient(ctx, addr)
}

// GetSDKClient returns default neofs-sdk-go client.
func GetSDKClient(ctx context.Context, addr string) (*Client, error) {
	var prmDial PrmDial

	prmDial.SetServerURI(addr)
	prmDial.SetContext(ctx)

	deadline, ok := ctx.Deadline()
	if ok {
		if timeout := time.Until(deadline); timeout > 0 {
			// In CLI we can only set a timeout for the whole operation.
			// By also setting stream timeout we ensure that no operation hands
			// for too long.
			prmDial.SetTimeout(timeout)
			prmDial.SetStreamTimeout(timeout)
		}
	}

	c := new(Client)
	if err := c.Dial(prmDial); err != nil {
		return nil, fmt.Errorf("can't init SDK client: %w", err)
	}

	return c, nil
}

// BalanceOfPrm groups parameters of BalanceOf operation.
type BalanceOfPrm struct {
	cli     *Client
	account string
}

// SetClient sets the base client for NeoFS API communication.
func (x *BalanceOfPrm) SetClient(cli *Client) { x.cli = cli }

// SetAccount sets identifier of the balance owner.
func (x *BalanceOfPrm) SetAccount(id string) { x.account = id }

// BalanceOfRes groups the resulting values of BalanceOf operation.
type BalanceOfRes struct {
	cliRes int64
}

// Balance returns the current balance.
func (x BalanceOfRes) Balance() int64 { return x.cliRes }

// BalanceOf requests the current balance of a NeoFS user.
func BalanceOf(ctx context.Context, prm BalanceOfPrm) (res BalanceOfRes, err error) {
	res.cliRes, err = prm.cli.BalanceGet(ctx, prm.account)

	return
}
