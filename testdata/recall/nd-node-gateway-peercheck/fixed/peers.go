// Recall case nd-node-gateway-peercheck
// Source: github.com/satsuma-xyz/node-gateway commit 5cf4aa2223eac83fa441fd664ec68cd2ccaebb14 (internal/checks/peers.go)
// Link: https://github.com/satsuma-xyz/node-gateway/commit/5cf4aa2223eac83fa441fd664ec68cd2ccaebb14
// Bug: the periodic peer-count health check calls the upstream JSON-RPC node with context.Background() through an HTTP client that has no timeout, so one unresponsive upstream blocks the health-check loop forever.
// Fix: runCheck wraps the call in context.WithTimeout(context.Background(), RPCRequestTimeout).
// Rule: nodeadline
package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	JSONRPCErrCodeMethodNotFound = -32601
	MinimumPeerCount             = 5
	RPCRequestTimeout            = 10 * time.Second
)

// EthClient is the subset of go-ethereum's ethclient used by the check.
type EthClient interface {
	PeerCount(ctx context.Context) (uint64, error)
}

type BasicAuthCredentials struct {
	Username string
	Password string
}

type EthClientGetter func(url string, credentials *BasicAuthCredentials) (EthClient, error)

// rpcClient mimics go-ethereum's rpc HTTP client: a plain *http.Client
// without Timeout, relying entirely on the ctx for deadlines.
type rpcClient struct {
	url   string
	creds *BasicAuthCredentials
	hc    *http.Client
}

func NewEthClient(url string, credentials *BasicAuthCredentials) (EthClient, error) {
	return &rpcClient{url: url, creds: credentials, hc: new(http.Client)}, nil
}

func (c *rpcClient) PeerCount(ctx context.Context) (uint64, error) {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "net_peerCount", "params": []any{}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.creds != nil && c.creds.Username != "" {
		req.SetBasicAuth(c.creds.Username, c.creds.Password)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Result string `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	if out.Error != nil {
		return 0, fmt.Errorf("rpc error %d: %s", out.Error.Code, out.Error.Message)
	}
	return strconv.ParseUint(strings.TrimPrefix(out.Result, "0x"), 16, 64)
}

type UpstreamConfig struct {
	ID      string
	HTTPURL string
}

type PeerCheck struct {
	client         EthClient
	Err            error
	clientGetter   EthClientGetter
	upstreamConfig *UpstreamConfig
	PeerCount      uint64
	ShouldRun      bool
}

func NewPeerChecker(upstreamConfig *UpstreamConfig, clientGetter EthClientGetter) *PeerCheck {
	c := &PeerCheck{
		upstreamConfig: upstreamConfig,
		clientGetter:   clientGetter,
		ShouldRun:      true,
	}

	if err := c.Initialize(); err != nil {
		log.Printf("Error initializing PeerCheck %s: %v", upstreamConfig.ID, err)
	}

	return c
}

func (c *PeerCheck) Initialize() error {
	httpClient, err := c.clientGetter(c.upstreamConfig.HTTPURL, &BasicAuthCredentials{})
	if err != nil {
		c.Err = err
		return c.Err
	}

	c.client = httpClient

	c.runCheck()

	if isMethodNotSupportedErr(c.Err) {
		c.ShouldRun = false
	}

	return nil
}

func (c *PeerCheck) RunCheck() {
	if c.client == nil {
		if err := c.Initialize(); err != nil {
			log.Printf("Error initializing PeerCheck %s: %v", c.upstreamConfig.ID, err)
		}
	}

	if c.ShouldRun {
		c.runCheck()
	}
}

func (c *PeerCheck) runCheck() {
	if c.client == nil {
		return
	}

	runCheck := func() {
		ctx, cancel := context.WithTimeout(context.Background(), RPCRequestTimeout)
		defer cancel()

		peerCount, err := c.client.PeerCount(ctx)
		if c.Err = err; c.Err != nil {
			return
		}

		c.PeerCount = peerCount
	}

	runCheckWithMetrics(runCheck, func(d time.Duration) {
		log.Printf("PeerCheck %s took %s", c.upstreamConfig.ID, d)
	})
}

func (c *PeerCheck) IsPassing() bool {
	return !(c.ShouldRun && (c.Err != nil || c.PeerCount < MinimumPeerCount))
}

func isMethodNotSupportedErr(err error) bool {
	if err == nil {
		return false
	}
	return strings.Contains(err.Error(), strconv.Itoa(JSONRPCErrCodeMethodNotFound)) ||
		strings.Contains(strings.ToLower(err.Error()), "unsupported method")
}

func runCheckWithMetrics(runCheck func(), observe func(time.Duration)) {
	start := time.Now()
	runCheck()
	observe(time.Since(start))
}
