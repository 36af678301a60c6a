// Recall case sc-franzgo-fetchoffsets
// Source: github.com/twmb/franz-go commit 22a173201648e835993c2517c16cf1b52da6a681 (pkg/kgo/consumer_group.go)
// Link: https://github.com/twmb/franz-go/commit/22a173201648e835993c2517c16cf1b52da6a681
// Bug: groupConsumer.fetchOffsets, on a retryable UNSTABLE_OFFSET_COMMIT partition error, selects on ctx.Done() but the cancel case is empty, so cancellation falls through to addFakeReadyForDraining: ctx cancellation is dropped and replaced by a fake UNSTABLE fetch error and fetchOffsets returns nil
// Fix: the `case <-ctx.Done():` branch returns ctx.Err()
// Rule: swallowcancel
package kgo

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"time"
)

var (
	errUnstableOffsetCommit = errors.New("UNSTABLE_OFFSET_COMMIT: There are unstable offsets that need to be cleared.")
	errUnknownServerError   = errors.New("UNKNOWN_SERVER_ERROR")
)

func errorForCode(code int16) error {
	switch code {
	case 0:
		return nil
	case 88:
		return errUnstableOffsetCommit
	default:
		return errUnknownServerError
	}
}

type offsetFetchRequest struct {
	Group         string             `json:"group"`
	RequireStable bool               `json:"require_stable"`
	Topics        map[string][]int32 `json:"topics"`
}

type offsetFetchResponsePartition struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
	ErrorCode int16 `json:"error_code"`
}

type offsetFetchResponseTopic struct {
	Topic      string                         `json:"topic"`
	Partitions []offsetFetchResponsePartition `json:"partitions"`
}

type offsetFetchResponse struct {
	Topics []offsetFetchResponseTopic `json:"topics"`
}

// Client is a reduced kgo.Client: requests go to the coordinator over TCP
// and are interrupted when the request context is done.
type Client struct {
	dialer      net.Dialer
	coordinator string
}

func (cl *Client) offsetFetch(ctx context.Context, req *offsetFetchRequest) (*offsetFetchResponse, error) {
	conn, err := cl.dialer.DialContext(ctx, "tcp", cl.coordinator)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return nil, err
	}
	resp := new(offsetFetchResponse)
	if err := json.NewDecoder(conn).Decode(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

type Offset struct {
	at    int64
	epoch int32
}

type fakeFetch struct {
	topic     string
	partition int32
	err       error
	why       string
}

type consumer struct {
	mu       sync.Mutex
	fakes    []fakeFetch
	assigned map[string]map[int32]Offset
}

func (c *consumer) addFakeReadyForDraining(topic string, partition int32, err error, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fakes = append(c.fakes, fakeFetch{topic, partition, err, why})
}

func (c *consumer) assignPartitions(offsets map[string]map[int32]Offset) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.assigned = offsets
}

type groupConsumer struct {
	cl    *Client
	c     *consumer
	group string

	fetching map[string][]int32
}

func (g *groupConsumer) fetchOffsets(ctx context.Context, added map[string][]int32) (rerr error) {
	// If we fetch successfully, we can clear the cross-group-cycle
	// fetching tracking.
	defer func() {
		if rerr == nil {
			g.fetching = nil
		}
	}()

start:
	req := &offsetFetchRequest{
		Group:         g.group,
		RequireStable: true,
		Topics:        added,
	}

	var resp *offsetFetchResponse
	var err error

	fetchDone := make(chan struct{})
	go func() {
		defer close(fetchDone)
		resp, err = g.cl.offsetFetch(ctx, req)
	}()
	select {
	case <-fetchDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err != nil {
		return err
	}

	offsets := make(map[string]map[int32]Offset)
	for _, rTopic := range resp.Topics {
		topic := rTopic.Topic
		topicOffsets := make(map[int32]Offset)
		offsets[topic] = topicOffsets
		for _, rPartition := range rTopic.Partitions {
			if err = errorForCode(rPartition.ErrorCode); err != nil {
				// UnstableOffsetCommit (KIP-447): a pending
				// transaction should be committing soon.
				retryable := errors.Is(err, errUnstableOffsetCommit)
				if retryable {
					select {
					case <-ctx.Done():
					case <-time.After(time.Second):
						goto start
					}
				}
				// Surface the error to the user via a fake fetch
				// and drop the partition from this assignment.
				g.c.addFakeReadyForDraining(topic, rPartition.Partition, err, "fetch offsets returned a non-retryable partition error")
				continue
			}
			topicOffsets[rPartition.Partition] = Offset{at: rPartition.Offset, epoch: -1}
		}
	}

	g.c.assignPartitions(offsets)
	return nil
}
