// Recall case sc-dendrite-lookupevent
// Source: github.com/matrix-org/dendrite commit 0e69212206d7abbe5d3e4c65b4ae369a0067bdc9 (federationapi/routing/send.go)
// Link: https://github.com/matrix-org/dendrite/commit/0e69212206d7abbe5d3e4c65b4ae369a0067bdc9
// Bug: lookupEvent logs a failed federation GetEvent and continues with the next server even when the error is context.DeadlineExceeded, so after the deadline it keeps issuing doomed requests to every server and finally reports a generic "wasn't able to find event" error.
// Fix: When the error is context.DeadlineExceeded the loop breaks instead of trying the next server.
// Rule: swallowcancel
package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
)

// Transaction is the /event response body.
type Transaction struct {
	PDUs []json.RawMessage `json:"pdus"`
}

// Event is a stand-in for gomatrixserverlib.Event.
type Event struct {
	EventID string `json:"event_id"`
	RoomID  string `json:"room_id"`
}

func newEventFromUntrustedJSON(raw json.RawMessage) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// FederationClient is the part of the federation API used here.
type FederationClient interface {
	GetEvent(ctx context.Context, s string, eventID string) (Transaction, error)
}

// HTTPFederationClient does the real federation request.
type HTTPFederationClient struct {
	Client *http.Client
}

func (c *HTTPFederationClient) GetEvent(ctx context.Context, s string, eventID string) (Transaction, error) {
	var res Transaction
	u := "https://" + s + "/_matrix/federation/v1/event/" + url.PathEscape(eventID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return res, fmt.Errorf("GetEvent: HTTP %d", resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(&res)
	return res, err
}

type txnReq struct {
	federation FederationClient
	servers    []string
}

func (t *txnReq) getServers(ctx context.Context, roomID string) []string {
	return t.servers
}

func (t *txnReq) lookupEvent(ctx context.Context, roomID, missingEventID string) (*Event, error) {
	var event *Event
	found := false
	servers := t.getServers(ctx, roomID)
	for _, serverName := range servers {
		txn, err := t.federation.GetEvent(ctx, serverName, missingEventID)
		if err != nil || len(txn.PDUs) == 0 {
			log.Printf("Failed to get missing /event for event ID %q: %v", missingEventID, err)
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			continue
		}
		event, err = newEventFromUntrustedJSON(txn.PDUs[0])
		if err != nil {
			log.Printf("Transaction: Failed to parse event JSON of event %q: %v", missingEventID, err)
			continue
		}
		found = true
		break
	}
	if !found {
		log.Printf("Failed to get missing /event for event ID %q from %d server(s)", missingEventID, len(servers))
		return nil, fmt.Errorf("wasn't able to find event via %d server(s)", len(servers))
	}
	return event, nil
}
