// Recall case sd-blackbox_exporter-grpccheck
// Source: github.com/prometheus/blackbox_exporter commit fdf246c7a621e23152a52a45f9c8fa2c2c47d6be (prober/grpc.go)
// Link: https://github.com/prometheus/blackbox_exporter/commit/fdf246c7a621e23152a52a45f9c8fa2c2c47d6be
// Bug: ProbeGRPC receives the probe ctx (scrape timeout) but calls client.Check(context.Background(), ...), so the health-check RPC ignores the probe deadline.
// Fix: client.Check(ctx, ...) uses the probe ctx (and ProbeGRPC returns false when grpc.NewClient fails).
// Rule: sharedeadline
package prober

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ---- minimal stand-ins for google.golang.org/grpc and grpc_health_v1 ----
// A ClientConn sends unary RPCs as HTTP/2 POSTs on the connection; the RPC is
// bounded only by the ctx handed to the call (gRPC has no default deadline).

type ClientConn struct {
	target string
	hc     *http.Client
}

// NewClient mirrors grpc.NewClient: it does not dial, it only prepares the conn.
func NewClient(target string) (*ClientConn, error) {
	if target == "" {
		return nil, errors.New("empty target")
	}
	return &ClientConn{target: target, hc: &http.Client{Transport: http.DefaultTransport}}, nil
}

func (cc *ClientConn) Close() error {
	cc.hc.CloseIdleConnections()
	return nil
}

// Invoke performs a unary RPC, bounded by ctx.
func (cc *ClientConn) Invoke(ctx context.Context, method string, in []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+cc.target+method, bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/grpc")
	resp, err := cc.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

type healthClient struct{ cc *ClientConn }

func (h healthClient) Check(ctx context.Context, service string) (string, error) {
	out, err := h.cc.Invoke(ctx, "/grpc.health.v1.Health/Check", []byte(service))
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// ---- reduced prober/grpc.go ----

type GRPCHealthCheck interface {
	Check(c context.Context, service string) (bool, string, error)
}

type gRPCHealthCheckClient struct {
	client healthClient
	conn   *ClientConn
}

func NewGrpcHealthCheckClient(conn *ClientConn) GRPCHealthCheck {
	client := new(gRPCHealthCheckClient)
	client.client = healthClient{cc: conn}
	client.conn = conn
	return client
}

func (c *gRPCHealthCheckClient) Check(ctx context.Context, service string) (bool, string, error) {
	status, err := c.client.Check(ctx, service)
	if err == nil {
		return status == "SERVING", status, nil
	}
	return false, "", err
}

// ProbeGRPC is called by the probe handler with a ctx carrying the scrape timeout.
func ProbeGRPC(ctx context.Context, target string, service string, logger *slog.Logger) (success bool) {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		target = "http://" + target
	}

	targetURL, err := url.Parse(target)
	if err != nil {
		logger.Error("Could not parse target URL", "err", err)
		return false
	}

	targetHost, targetPort, err := net.SplitHostPort(targetURL.Host)
	if err != nil {
		targetHost = targetURL.Host
	}
	checkStart := time.Now()

	target = targetHost + ":" + targetPort
	if len(targetPort) == 0 {
		target = targetHost + ":80"
	}

	conn, err := NewClient(target)

	if err != nil {
		logger.Error("did not connect", "err", err)
	}

	client := NewGrpcHealthCheckClient(conn)
	defer conn.Close()
	ok, servingStatus, err := client.Check(context.Background(), service)
	logger.Debug("check done", "duration_seconds", time.Since(checkStart).Seconds(), "status", servingStatus)

	if !ok || err != nil {
		logger.Error("can't connect grpc server:", "err", err)
		success = false
	} else {
		logger.Debug("connect the grpc server successfully")
		success = true
	}

	return
}
