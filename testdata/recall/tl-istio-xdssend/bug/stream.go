// Recall case tl-istio-xdssend
// Source: github.com/istio/istio commit 2be5863f6570540498b42d5b10ea54ee99fb36d3 (pilot/pkg/proxy/envoy/v2/ads.go; this file is a stub of the gRPC ADS server stream, not upstream code)
// Link: https://github.com/istio/istio/pull/15897
// Bug: XdsConnection.send starts a goroutine that does `done <- conn.stream.Send(res)` on an unbuffered channel; when the SendTimeout timer fires first, send returns and nobody ever reads done, so every timed-out push leaks a goroutine.
// Fix: make done buffered (make(chan error, 1)) so the goroutine can always complete its send.
// Rule: timeoutleak

package v2

import (
	"context"
	"encoding/binary"
	"net"
	"time"
)

// DiscoveryResponse is a (stub) xdsapi.DiscoveryResponse.
type DiscoveryResponse struct {
	VersionInfo string
	Resources   [][]byte
	TypeUrl     string
	Nonce       string
}

func (r *DiscoveryResponse) marshal() []byte {
	var out []byte
	for _, s := range []string{r.VersionInfo, r.TypeUrl, r.Nonce} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	for _, res := range r.Resources {
		out = binary.BigEndian.AppendUint32(out, uint32(len(res)))
		out = append(out, res...)
	}
	return out
}

// adsStream is a (stub) AggregatedDiscoveryService_StreamAggregatedResourcesServer:
// like a gRPC server stream, Send blocks until the message is written to the
// connection (i.e. while the peer applies flow control) and is aborted only when
// the stream's context ends.
type adsStream struct {
	ctx  context.Context
	conn net.Conn
}

func (s *adsStream) Context() context.Context { return s.ctx }

func (s *adsStream) Send(res *DiscoveryResponse) error {
	stop := context.AfterFunc(s.ctx, func() { _ = s.conn.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.ctx.Err(); err != nil {
		return err
	}
	msg := res.marshal()
	frame := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
	_, err := s.conn.Write(append(frame, msg...))
	return err
}

// StreamAggregatedResources is the (reduced) per-connection entry point: it pushes CDS to the proxy.
func (s *DiscoveryServer) StreamAggregatedResources(ctx context.Context, peer net.Conn, rawClusters [][]byte) error {
	con := newXdsConnection(peer.RemoteAddr().String(), &adsStream{ctx: ctx, conn: peer})
	return s.pushCds(con, rawClusters, "v1")
}
