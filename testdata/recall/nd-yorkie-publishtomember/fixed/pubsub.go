// Recall case nd-yorkie-publishtomember
// Source: github.com/yorkie-team/yorkie commit 28cc71bdda014bf74dc967cc914130eff00a86c5 (yorkie/backend/sync/etcd/pubsub.go, yorkie/rpc/server.go)
// Link: https://github.com/yorkie-team/yorkie/commit/28cc71bdda014bf74dc967cc914130eff00a86c5
// Bug: Client.Publish broadcasts the event to every cluster member with publishToMember(context.Background(), ...), so the BroadcastEvent RPC has no deadline and ignores the watching stream's cancellation.
// Fix: Publish (and the Coordinator interface) take a ctx, watchDocs passes stream.Context(), and publishToMember uses that ctx.
// Rule: nodeadline
package etcd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
)

// DocEvent is an event that occurs in a document.
type DocEvent struct {
	Type         string   `json:"type"`
	Publisher    string   `json:"publisher"`
	DocumentKeys []string `json:"document_keys"`
}

// AgentInfo is the information of a cluster member.
type AgentInfo struct {
	ID      string
	RPCAddr string
}

// clusterClient is a stand-in for the generated api.ClusterClient (gRPC).
type clusterClient struct {
	addr string
	http *http.Client
}

// BroadcastEvent sends the event to one member.
func (c *clusterClient) BroadcastEvent(ctx context.Context, publisherID string, event DocEvent) error {
	body, err := json.Marshal(struct {
		PublisherID string   `json:"publisher_id"`
		Event       DocEvent `json:"event"`
	}{publisherID, event})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+"/cluster/broadcast", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("broadcast to %s: %s", c.addr, resp.Status)
	}
	return nil
}

type clusterClientInfo struct {
	client *clusterClient
}

// Client is the etcd-backed coordinator.
type Client struct {
	agentInfo  *AgentInfo
	httpClient *http.Client // transport shared by all cluster clients

	membersMu sync.RWMutex
	members   map[string]*AgentInfo

	clusterClientMapMu sync.Mutex
	clusterClientMap   map[string]*clusterClientInfo

	localMu     sync.RWMutex
	subscribers map[string][]chan DocEvent
}

// Members returns the members of this cluster.
func (c *Client) Members() map[string]*AgentInfo {
	c.membersMu.RLock()
	defer c.membersMu.RUnlock()
	members := make(map[string]*AgentInfo, len(c.members))
	for k, v := range c.members {
		members[k] = v
	}
	return members
}

// Publish publishes the given event to the given Topic.
func (c *Client) Publish(
	ctx context.Context,
	publisherID string,
	event DocEvent,
) {
	c.PublishToLocal(ctx, publisherID, event)

	for _, member := range c.Members() {
		memberAddr := member.RPCAddr
		if memberAddr == c.agentInfo.RPCAddr {
			continue
		}

		clientInfo, err := c.ensureClusterClient(memberAddr)
		if err != nil {
			continue
		}

		if err := c.publishToMember(
			ctx,
			clientInfo,
			publisherID,
			event,
		); err != nil {
			continue
		}
	}
}

// PublishToLocal publishes the given event to the local subscribers.
func (c *Client) PublishToLocal(
	ctx context.Context,
	publisherID string,
	event DocEvent,
) {
	c.localMu.RLock()
	defer c.localMu.RUnlock()
	for _, docKey := range event.DocumentKeys {
		for _, ch := range c.subscribers[docKey] {
			select {
			case ch <- event:
			default:
			}
		}
	}
}

// ensureClusterClient creates a client for the given member.
func (c *Client) ensureClusterClient(addr string) (*clusterClientInfo, error) {
	c.clusterClientMapMu.Lock()
	defer c.clusterClientMapMu.Unlock()

	if _, ok := c.clusterClientMap[addr]; !ok {
		c.clusterClientMap[addr] = &clusterClientInfo{
			client: &clusterClient{addr: addr, http: c.httpClient},
		}
	}

	return c.clusterClientMap[addr], nil
}

// publishToMember publishes events to other agents.
func (c *Client) publishToMember(
	ctx context.Context,
	clientInfo *clusterClientInfo,
	publisherID string,
	event DocEvent,
) error {
	if err := clientInfo.client.BroadcastEvent(ctx, publisherID, event); err != nil {
		log.Print(err)
		return err
	}

	return nil
}
