// Recall case tl-istio-xdssend
// Source: github.com/istio/istio commit 2be5863f6570540498b42d5b10ea54ee99fb36d3 (pilot/pkg/proxy/envoy/v2/cds.go)
// Link: https://github.com/istio/istio/pull/15897
// Bug: XdsConnection.send starts a goroutine that does `done <- conn.stream.Send(res)` on an unbuffered channel; when the SendTimeout timer fires first, send returns and nobody ever reads done, so every timed-out push leaks a goroutine.
// Fix: make done buffered (make(chan error, 1)) so the goroutine can always complete its send.
// Rule: timeoutleak

package v2

import (
	"log"
)

// clusters aggregate a DiscoveryResponse for pushing.
func (conn *XdsConnection) clusters(response [][]byte) *DiscoveryResponse {
	out := &DiscoveryResponse{
		// All resources for CDS ought to be of the type ClusterLoadAssignment
		TypeUrl: ClusterType,

		VersionInfo: "v1",
		Nonce:       nonce(),
	}
	out.Resources = append(out.Resources, response...)
	return out
}

func (s *DiscoveryServer) pushCds(con *XdsConnection, rawClusters [][]byte, version string) error {
	response := con.clusters(rawClusters)
	err := con.send(response)
	if err != nil {
		log.Printf("CDS: Send failure %s: %v", con.ConID, err)
		return err
	}
	log.Printf("CDS: PUSH for node:%s clusters:%d version:%s", con.ConID, len(rawClusters), version)
	return nil
}
