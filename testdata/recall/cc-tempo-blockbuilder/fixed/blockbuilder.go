// Recall case cc-tempo-blockbuilder
// Source: github.com/grafana/tempo commit ae8e5a85a3476304203a97bc75bcf9246f2894bb (modules/blockbuilder/blockbuilder.go)
// Link: https://github.com/grafana/tempo/commit/ae8e5a85a3476304203a97bc75bcf9246f2894bb
// Bug: BlockBuilder.running passes the service ctx into consume/consumePartition, so when the service is stopped mid-cycle the final writer.flush and kadm.CommitOffsets run with an already-cancelled ctx and the consumed section is never flushed/committed.
// Fix: run each consume cycle with a detached context (context.WithCancel(context.Background())) and make stopping() wait (up to 60s) for the cycle to finish.
// Rule: cleanupctx
package blockbuilder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const pollTimeout = 2 * time.Second

// ---- stubs of franz-go kgo/kadm and the tempodb backend writer, over HTTP ----

// Record is a Kafka record.
type Record struct {
	Partition int32
	Offset    int64
	Timestamp time.Time
	Value     []byte
}

// kafkaClient fetches records for the assigned partition (stub of *kgo.Client).
type kafkaClient struct {
	broker    string
	hc        *http.Client
	partition int32
	offset    int64
}

// AddConsumePartitions assigns a partition at an offset.
func (k *kafkaClient) AddConsumePartitions(partition int32, offset int64) {
	k.partition, k.offset = partition, offset
}

// PollFetches long-polls the broker for records; it returns when ctx is done.
func (k *kafkaClient) PollFetches(ctx context.Context) ([]*Record, error) {
	u := fmt.Sprintf("%s/fetch?partition=%d&offset=%d", k.broker, k.partition, k.offset)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var recs []*Record
	if err := json.NewDecoder(resp.Body).Decode(&recs); err != nil {
		return nil, err
	}
	if len(recs) > 0 {
		k.offset = recs[len(recs)-1].Offset + 1
	}
	return recs, nil
}

// Close closes the client.
func (k *kafkaClient) Close() {
	k.hc.CloseIdleConnections()
}

// admClient commits offsets (stub of *kadm.Client).
type admClient struct {
	broker string
	hc     *http.Client
}

// CommitOffsets commits the offset for a partition of the group.
func (a *admClient) CommitOffsets(ctx context.Context, group string, partition int32, offset int64) error {
	u := fmt.Sprintf("%s/commit?group=%s&partition=%d&offset=%d", a.broker, url.QueryEscape(group), partition, offset)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("commit offsets: %s", resp.Status)
	}
	return nil
}

// backendWriter writes completed blocks to object storage (stub of tempodb.Writer).
type backendWriter struct {
	endpoint string
	hc       *http.Client
}

// WriteBlock uploads a block.
func (w *backendWriter) WriteBlock(ctx context.Context, name string, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, w.endpoint+"/"+url.PathEscape(name), bytes.NewReader(data))
	if err != nil {
		return err
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("write block: %s", resp.Status)
	}
	return nil
}

// writer accumulates a partition section (reduced partitionSectionWriter).
type writer struct {
	partition int32
	buf       bytes.Buffer
}

func (w *writer) pushTraces(rec *Record) error {
	_, err := w.buf.Write(rec.Value)
	return err
}

func (w *writer) flush(ctx context.Context, store *backendWriter) error {
	return store.WriteBlock(ctx, "block-"+strconv.Itoa(int(w.partition)), w.buf.Bytes())
}

// ---- block builder ----

// Config is the block-builder config.
type Config struct {
	ConsumeCycleDuration time.Duration
	ConsumerGroup        string
	Partitions           []int32
}

type partitionState struct {
	partition    int32
	commitOffset int64
	lastRecordTs time.Time
}

// BlockBuilder consumes Kafka partitions and writes blocks.
type BlockBuilder struct {
	cfg         Config
	kafkaClient *kafkaClient
	kadm        *admClient
	writer      *backendWriter

	consumeStopped chan struct{}
}

// New creates a BlockBuilder.
func New(cfg Config, kc *kafkaClient, kadm *admClient, w *backendWriter) *BlockBuilder {
	return &BlockBuilder{
		cfg:            cfg,
		kafkaClient:    kc,
		kadm:           kadm,
		writer:         w,
		consumeStopped: make(chan struct{}),
	}
}

func (b *BlockBuilder) running(ctx context.Context) error {
	defer close(b.consumeStopped)
	for {
		// Create a detached context for consume
		consumeCtx, cancel := context.WithCancel(context.Background())

		waitTime, err := b.consume(consumeCtx)
		cancel() // Always cancel the context after consume completes

		if err != nil {
			log.Printf("consumeCycle failed: %v", err)
		}

		select {
		case <-time.After(waitTime): // Continue with next cycle
		case <-ctx.Done():
			// Parent context canceled, return
			return nil
		}
	}
}

// consume consumes records for all the assigned partitions until their lag is
// less than the cycle duration.
func (b *BlockBuilder) consume(ctx context.Context) (time.Duration, error) {
	if len(b.cfg.Partitions) == 0 {
		return b.cfg.ConsumeCycleDuration, errors.New("No partitions assigned")
	}
	ps := make([]partitionState, len(b.cfg.Partitions))
	for i, p := range b.cfg.Partitions {
		ps[i] = partitionState{partition: p}
	}
	for i, p := range ps {
		lastRecordTs, commitOffset, err := b.consumePartition(ctx, p)
		if err != nil {
			return 0, err
		}
		ps[i].lastRecordTs = lastRecordTs
		ps[i].commitOffset = commitOffset
	}
	return b.cfg.ConsumeCycleDuration, nil
}

func (b *BlockBuilder) consumePartition(ctx context.Context, ps partitionState) (lastTs time.Time, commitOffset int64, err error) {
	var (
		dur     = b.cfg.ConsumeCycleDuration
		group   = b.cfg.ConsumerGroup
		init    bool
		w       *writer
		lastRec *Record
		end     time.Time
	)

	b.kafkaClient.AddConsumePartitions(ps.partition, ps.commitOffset)

outer:
	for {
		fetches, err := func() ([]*Record, error) {
			ctx2, cancel := context.WithTimeout(ctx, pollTimeout)
			defer cancel()
			return b.kafkaClient.PollFetches(ctx2)
		}()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				// No more data
				break
			}
			return time.Time{}, -1, err
		}

		if len(fetches) == 0 {
			break
		}

		for _, rec := range fetches {
			// Initialize on first record
			if !init {
				end = rec.Timestamp.Add(dur) // When block will be cut
				w = &writer{partition: ps.partition}
				init = true
			}

			if rec.Timestamp.After(end) {
				break outer
			}

			if err := w.pushTraces(rec); err != nil {
				return time.Time{}, -1, err
			}
			lastRec = rec
		}
	}

	if lastRec == nil {
		// Received no data
		return time.Time{}, -1, nil
	}

	err = w.flush(ctx, b.writer)
	if err != nil {
		return time.Time{}, -1, err
	}

	offset := lastRec.Offset + 1
	if err := b.kadm.CommitOffsets(ctx, group, ps.partition, offset); err != nil { // TODO - Retry commit
		return time.Time{}, -1, err
	}
	log.Printf("successfully committed offset to kafka partition=%d commit_offset=%d", ps.partition, offset)

	return lastRec.Timestamp, offset, nil
}

func (b *BlockBuilder) stopping(err error) error {
	select {
	case <-b.consumeStopped:
	case <-time.After(60 * time.Second):
		// 60s is the default terminationGracePeriod for the BlockBuilder's statefulSet
		log.Printf("failed to gracefully stop: %v", err)
	}
	if b.kafkaClient != nil {
		b.kafkaClient.Close()
	}
	return err
}
