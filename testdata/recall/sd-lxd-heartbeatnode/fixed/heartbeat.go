// Recall case sd-lxd-heartbeatnode
// Source: github.com/canonical/lxd commit 74f46cb7a73f402b388ad728515ec236af82d7db (lxd/cluster/heartbeat.go)
// Link: https://github.com/canonical/lxd/commit/74f46cb7a73f402b388ad728515ec236af82d7db
// Bug: HeartbeatNode(taskCtx, ...) bounds the heartbeat PUT with context.WithTimeout(context.Background(), timeout+time.Second), so the request ignores the heartbeat task's ctx: cancelling the round (or its deadline) does not stop in-flight heartbeat requests.
// Fix: the request ctx is derived from the caller's ctx: context.WithTimeout(taskCtx, timeout+time.Second).
// Rule: sharedeadline
package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

const databaseEndpoint = "/internal/database"

// CertInfo stands in for shared.CertInfo.
type CertInfo struct {
	KeyPair tls.Certificate
}

// APIHeartbeat stands in for the heartbeat payload (guarded by its own mutex).
type APIHeartbeat struct {
	sync.Mutex
	Members map[int64]string
	Version int
}

func tlsClientConfig(networkCert *CertInfo, serverCert *CertInfo) (*tls.Config, error) {
	if networkCert == nil || serverCert == nil {
		return nil, fmt.Errorf("missing certificates")
	}
	return &tls.Config{
		Certificates: []tls.Certificate{serverCert.KeyPair},
		MinVersion:   tls.VersionTLS12,
	}, nil
}

func tlsTransport(config *tls.Config) (*http.Transport, func()) {
	transport := &http.Transport{TLSClientConfig: config}
	return transport, transport.CloseIdleConnections
}

func setDqliteVersionHeader(request *http.Request) {
	request.Header.Set("X-Dqlite-Version", "1")
}

// HeartbeatNode performs a single heartbeat request against the node with the given address.
func HeartbeatNode(taskCtx context.Context, address string, networkCert *CertInfo, serverCert *CertInfo, heartbeatData *APIHeartbeat) error {
	log.Printf("Sending heartbeat request address=%s", address)

	config, err := tlsClientConfig(networkCert, serverCert)
	if err != nil {
		return err
	}

	timeout := 2 * time.Second
	url := fmt.Sprintf("https://%s%s", address, databaseEndpoint)
	transport, cleanup := tlsTransport(config)
	defer cleanup()
	client := &http.Client{
		Transport: transport,
		Timeout:   timeout,
	}

	buffer := bytes.Buffer{}
	heartbeatData.Lock()
	err = json.NewEncoder(&buffer).Encode(heartbeatData)
	heartbeatData.Unlock()
	if err != nil {
		return err
	}

	request, err := http.NewRequest("PUT", url, bytes.NewReader(buffer.Bytes()))
	if err != nil {
		return err
	}
	setDqliteVersionHeader(request)

	// Use 1s later timeout to give HTTP client chance timeout with more useful info.
	ctx, cancel := context.WithTimeout(taskCtx, timeout+time.Second)
	defer cancel()
	request = request.WithContext(ctx)
	request.Close = true // Immediately close the connection after the request is done

	response, err := client.Do(request)
	if err != nil {
		return fmt.Errorf("Failed to send heartbeat request: %w", err)
	}
	defer response.Body.Close()

	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("Heartbeat request failed with status code: %s", response.Status)
	}

	return nil
}
