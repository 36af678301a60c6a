// Recall case nd-pandora-grpcshoot
// Source: github.com/yandex/pandora commit a1b7f65b46b986d6fbc07c068fcd669e50f62dc9 (components/grpc/core.go)
// Link: https://github.com/yandex/pandora/commit/a1b7f65b46b986d6fbc07c068fcd669e50f62dc9
// Bug: Gun.shoot invokes the gRPC method with a context built from context.Background() and no deadline, so a hanging target blocks the shooting goroutine forever.
// Fix: shoot wraps the call in context.WithTimeout(context.Background(), timeout) with a 15s default overridable by GunConfig.Timeout.
// Rule: nodeadline
package grpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"time"
)

type GunConfig struct {
	Target string `validate:"required"`
}

type Gun struct {
	DebugLog bool
	conf     GunConfig
	aggr     Aggregator

	stub     Stub
	services map[string]MethodDescriptor
}

func NewGun(conf GunConfig) *Gun {
	return &Gun{conf: conf}
}

func (g *Gun) Bind(aggr Aggregator, services map[string]MethodDescriptor) error {
	g.aggr = aggr
	g.stub = Stub{target: g.conf.Target, hc: &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}}
	g.services = services
	return nil
}

func (g *Gun) shoot(ammo *Ammo) {

	code := 0
	sample := &Sample{Tag: ammo.Tag}
	defer func() {
		sample.Code = code
		g.aggr.Report(sample)
	}()

	method, ok := g.services[ammo.Call]
	if !ok {
		log.Fatalf("Fatal: No such method %s\n", ammo.Call)
		return
	}

	payloadJSON, err := json.Marshal(ammo.Payload)
	if err != nil {
		log.Fatalf("FATAL: Payload parsing error %s\n", err)
		return
	}

	meta := make(MD)
	if ammo.Metadata != nil && len(ammo.Metadata) > 0 {
		for key, value := range ammo.Metadata {
			meta = Pairs(key, value)
		}
	}

	ctx := NewOutgoingContext(context.Background(), meta)
	out, err := g.stub.InvokeRpc(ctx, &method, payloadJSON)
	code = convertGrpcStatus(err)

	if err != nil {
		log.Printf("Response error: %s\n", err)
	}

	if g.DebugLog {
		log.Printf("Request: %s %s", method.FullName, payloadJSON)
		log.Printf("Response: %s", out)
	}

}

// --- stand-ins for grpc metadata / dynamic stub / aggregator ---

type MD map[string]string

type mdKey struct{}

func Pairs(k, v string) MD { return MD{k: v} }

// NewOutgoingContext attaches metadata to ctx (stand-in for grpc/metadata).
func NewOutgoingContext(ctx context.Context, md MD) context.Context {
	return context.WithValue(ctx, mdKey{}, md)
}

type MethodDescriptor struct {
	FullName string
}

// Stub performs the unary RPC over HTTP with the given ctx (stand-in for grpcdynamic.Stub).
type Stub struct {
	target string
	hc     *http.Client
}

func (s Stub) InvokeRpc(ctx context.Context, method *MethodDescriptor, message []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target+"/"+method.FullName, bytes.NewReader(message))
	if err != nil {
		return nil, err
	}
	if md, ok := ctx.Value(mdKey{}).(MD); ok {
		for k, v := range md {
			req.Header.Set(k, v)
		}
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

type Sample struct {
	Tag  string
	Code int
}

type Aggregator interface {
	Report(s *Sample)
}

type Ammo struct {
	Tag      string                 `json:"tag"`
	Call     string                 `json:"call"`
	Metadata map[string]string      `json:"metadata"`
	Payload  map[string]interface{} `json:"payload"`
}

func convertGrpcStatus(err error) int {
	switch {
	case err == nil:
		return 200
	case errors.Is(err, context.Canceled):
		return 499
	case errors.Is(err, context.DeadlineExceeded):
		return 504
	default:
		return 500
	}
}

func (g *Gun) Shoot(ammo *Ammo) {
	g.shoot(ammo)
}
