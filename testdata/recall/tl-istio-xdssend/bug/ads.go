// Recall case tl-istio-xdssend
// Source: github.com/istio/istio commit 2be5863f6570540498b42d5b10ea54ee99fb36d3 (pilot/pkg/proxy/envoy/v2/ads.go)
// Link: https://github.com/istio/istio/pull/15897
// Bug: XdsConnection.send starts a goroutine that does `done <- conn.stream.Send(res)` on an unbuffered channel; when the SendTimeout timer fires first, send returns and nobody ever reads done, so every timed-out push leaks a goroutine.
// Fix: make done buffered (make(chan error, 1)) so the goroutine can always complete its send.
// Rule: timeoutleak

package v2

import (
	"errors"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

const (
	ClusterType  = "type.googleapis.com/envoy.api.v2.Cluster"
	ListenerType = "type.googleapis.com/envoy.api.v2.Listener"
	RouteType    = "type.googleapis.com/envoy.api.v2.RouteConfiguration"
	EndpointType = "type.googleapis.com/envoy.api.v2.ClusterLoadAssignment"
)

var (
	// SendTimeout is the max time to wait for a ADS send to complete. This helps detect
	// clients in a bad state (not reading). In future it may include checking for ACK
	SendTimeout = 5 * time.Second

	xdsResponseWriteTimeouts atomic.Int64
	nonceCounter             atomic.Uint64
)

// DiscoveryStream is a common interface for EDS and ADS. It also has a
// shorter name.
type DiscoveryStream interface {
	Send(*DiscoveryResponse) error
}

// DiscoveryServer is Pilot's gRPC implementation for Envoy's v2 xds APIs
type DiscoveryServer struct{}

// XdsConnection is a listener connection type.
type XdsConnection struct {
	// Mutex to protect changes to this XDS connection
	mu sync.RWMutex

	// ConID is the connection identifier, used as a key in the connection table.
	ConID string

	// Sending on this channel results in a push.
	stream DiscoveryStream

	ClusterNonceSent, ListenerNonceSent, RouteNonceSent, EndpointNonceSent string
	RouteVersionInfoSent                                                   string
}

func newXdsConnection(conID string, stream DiscoveryStream) *XdsConnection {
	return &XdsConnection{ConID: conID, stream: stream}
}

// Send with timeout
func (conn *XdsConnection) send(res *DiscoveryResponse) error {
	done := make(chan error)
	// hardcoded for now - not sure if we need a setting
	t := time.NewTimer(SendTimeout)
	go func() {
		err := conn.stream.Send(res)
		done <- err
		conn.mu.Lock()
		if res.Nonce != "" {
			switch res.TypeUrl {
			case ClusterType:
				conn.ClusterNonceSent = res.Nonce
			case ListenerType:
				conn.ListenerNonceSent = res.Nonce
			case RouteType:
				conn.RouteNonceSent = res.Nonce
			case EndpointType:
				conn.EndpointNonceSent = res.Nonce
			}
		}
		if res.TypeUrl == RouteType {
			conn.RouteVersionInfoSent = res.VersionInfo
		}
		conn.mu.Unlock()
	}()
	select {
	case <-t.C:
		// TODO: wait for ACK
		log.Printf("Timeout writing %s", conn.ConID)
		xdsResponseWriteTimeouts.Add(1)
		return errors.New("timeout sending")
	case err := <-done:
		t.Stop()
		return err
	}
}

func nonce() string {
	return time.Now().String() + "-" + string(rune('a'+nonceCounter.Add(1)%26))
}
