// Recall case sd-lnd-replyshortchanids
// Source: github.com/lightningnetwork/lnd commit 6d03df7b267c4984b79fadf0abcd2829cf500302 (discovery/syncer.go)
// Link: https://github.com/lightningnetwork/lnd/commit/6d03df7b267c4984b79fadf0abcd2829cf500302
// Bug: replyShortChanIDs receives the caller's ctx but sends every reply message with a fresh `ctx, _ := g.cg.Create(context.Background())`, so the rate-limit wait in sendToPeerSync ignores the caller's cancellation (only the guard's quit stops it).
// Fix: the per-message g.cg.Create(context.Background()) is removed and the caller's ctx is passed to sendToPeerSync.
// Rule: sharedeadline
package gossipreply

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"
)

var (
	// ErrGossipSyncerExiting signals that the syncer has been killed.
	ErrGossipSyncerExiting = errors.New("gossip syncer exiting")

	// ErrPeerExiting is returned when the peer is shutting down.
	ErrPeerExiting = errors.New("peer exiting")
)

// ---- fn/context_guard.go ----

// ContextGuard is a struct that provides a wait group and main quit channel
// that can be used to create guarded contexts.
type ContextGuard struct {
	mu        sync.Mutex
	quit      chan struct{}
	stopped   sync.Once
	id        uint32
	cancelFns map[uint32]context.CancelFunc
}

func NewContextGuard() *ContextGuard {
	return &ContextGuard{
		quit:      make(chan struct{}),
		cancelFns: make(map[uint32]context.CancelFunc),
	}
}

// Quit cancels all contexts created by the guard and closes the quit channel.
func (g *ContextGuard) Quit() {
	g.stopped.Do(func() {
		g.mu.Lock()
		defer g.mu.Unlock()

		for _, cancel := range g.cancelFns {
			cancel()
		}
		g.cancelFns = nil

		close(g.quit)
	})
}

func (g *ContextGuard) Done() <-chan struct{} {
	return g.quit
}

// Create derives a child of ctx that is also cancelled when Quit is called.
func (g *ContextGuard) Create(ctx context.Context) (context.Context,
	context.CancelFunc) {

	select {
	case <-ctx.Done():
		return ctx, func() {}
	default:
	}

	g.mu.Lock()
	defer g.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)

	select {
	case <-g.quit:
		cancel()
		return ctx, cancel
	default:
	}

	g.id++
	id := g.id
	g.cancelFns[id] = cancel

	return ctx, func() {
		g.mu.Lock()
		defer g.mu.Unlock()

		cancel()
		delete(g.cancelFns, id)
	}
}

// ---- lnwire ----

type Message interface {
	MsgType() uint16
}

type ShortChannelID struct {
	BlockHeight uint32
	TxIndex     uint32
	TxPosition  uint16
}

func (c ShortChannelID) ToUint64() uint64 {
	return (uint64(c.BlockHeight) << 40) | (uint64(c.TxIndex) << 16) |
		uint64(c.TxPosition)
}

type QueryShortChanIDs struct {
	ChainHash    [32]byte
	ShortChanIDs []ShortChannelID
}

func (*QueryShortChanIDs) MsgType() uint16 { return 261 }

type ReplyShortChanIDsEnd struct {
	ChainHash [32]byte
	Complete  uint8
}

func (*ReplyShortChanIDsEnd) MsgType() uint16 { return 262 }

type ChannelAnnouncement struct {
	ShortChannelID ShortChannelID
}

func (*ChannelAnnouncement) MsgType() uint16 { return 256 }

// ---- discovery/sync_manager.go (send path) ----

// rateLimiter hands out send slots spaced by interval (rate.Limiter).
type rateLimiter struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func (r *rateLimiter) reserve() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()

	now := time.Now()
	if r.next.Before(now) {
		r.next = now
	}
	delay := r.next.Sub(now)
	r.next = r.next.Add(r.interval)

	return delay
}

// peer is the remote peer's outgoing queue (Brontide SendMessageLazy).
type peer struct {
	outgoing chan Message
	quit     chan struct{}
}

func (p *peer) SendMessageLazy(sync bool, msg Message) error {
	select {
	case p.outgoing <- msg:
		return nil
	case <-p.quit:
		return ErrPeerExiting
	}
}

type SyncManager struct {
	rateLimiter *rateLimiter
	quit        chan struct{}
}

func (m *SyncManager) waitMsgDelay(ctx context.Context, peerPub [33]byte,
	delay time.Duration) error {

	if delay > 0 {
		log.Printf("GossipSyncer(%x): rate limiting gossip replies, "+
			"responding in %s", peerPub, delay)

		t := time.NewTimer(delay)
		defer t.Stop()

		select {
		case <-t.C:

		case <-ctx.Done():
			return ctx.Err()

		case <-m.quit:
			return ErrGossipSyncerExiting
		}
	}

	return nil
}

func (m *SyncManager) sendMessages(ctx context.Context, sync bool,
	p *peer, peerPub [33]byte, msgs ...Message) error {

	for _, msg := range msgs {
		delay := m.rateLimiter.reserve()
		if err := m.waitMsgDelay(ctx, peerPub, delay); err != nil {
			return err
		}
		if err := p.SendMessageLazy(sync, msg); err != nil {
			return err
		}
	}

	return nil
}

// ---- discovery/syncer.go ----

// ChannelGraphTimeSeries is the local channel graph (bbolt, no context).
type ChannelGraphTimeSeries interface {
	FetchChanAnns(chain [32]byte, shortChanIDs []ShortChannelID) ([]Message,
		error)
}

type memChannelSeries struct {
	mu   sync.RWMutex
	anns map[uint64]*ChannelAnnouncement
}

func (s *memChannelSeries) FetchChanAnns(chain [32]byte,
	shortChanIDs []ShortChannelID) ([]Message, error) {

	s.mu.RLock()
	defer s.mu.RUnlock()

	var msgs []Message
	for _, id := range shortChanIDs {
		if ann, ok := s.anns[id.ToUint64()]; ok {
			msgs = append(msgs, ann)
		}
	}

	return msgs, nil
}

type gossipSyncerCfg struct {
	chainHash      [32]byte
	peerPub        [33]byte
	channelSeries  ChannelGraphTimeSeries
	sendToPeerSync func(context.Context, ...Message) error
}

type GossipSyncer struct {
	cfg gossipSyncerCfg
	cg  *ContextGuard
}

func newGossipSyncer(m *SyncManager, p *peer, peerPub [33]byte,
	series ChannelGraphTimeSeries) *GossipSyncer {

	return &GossipSyncer{
		cfg: gossipSyncerCfg{
			peerPub:       peerPub,
			channelSeries: series,
			sendToPeerSync: func(ctx context.Context,
				msgs ...Message) error {

				return m.sendMessages(ctx, true, p, peerPub, msgs...)
			},
		},
		cg: NewContextGuard(),
	}
}

// Stop signals the GossipSyncer for a graceful exit.
func (g *GossipSyncer) Stop() {
	g.cg.Quit()
}

// replyPeerQueries is called in response to any query by the remote peer.
// We'll examine our state and send back our best response.
func (g *GossipSyncer) replyPeerQueries(ctx context.Context,
	msg Message) error {

	switch msg := msg.(type) {
	case *QueryShortChanIDs:
		return g.replyShortChanIDs(ctx, msg)

	default:
		return fmt.Errorf("unknown message: %T", msg)
	}
}

// replyShortChanIDs will be dispatched in response to a query by the remote
// node for information concerning a set of short channel ID's.
func (g *GossipSyncer) replyShortChanIDs(ctx context.Context,
	query *QueryShortChanIDs) error {

	// Before responding, we'll check to ensure that the remote peer is
	// querying for the same chain that we're on.
	if g.cfg.chainHash != query.ChainHash {
		log.Printf("Remote peer requested QueryShortChanIDs for "+
			"chain=%x, we're on chain=%x", query.ChainHash,
			g.cfg.chainHash)

		return g.cfg.sendToPeerSync(ctx, &ReplyShortChanIDsEnd{
			ChainHash: query.ChainHash,
			Complete:  0,
		})
	}

	if len(query.ShortChanIDs) == 0 {
		log.Printf("GossipSyncer(%x): ignoring query for blank short chan ID's",
			g.cfg.peerPub[:])
		return nil
	}

	// Now that we know we're on the same chain, we'll query the channel
	// time series for the set of messages that we know of which satisfies
	// the requirement of being a chan ann, chan update, or a node ann
	// related to the set of queried channels.
	replyMsgs, err := g.cfg.channelSeries.FetchChanAnns(
		query.ChainHash, query.ShortChanIDs,
	)
	if err != nil {
		return fmt.Errorf("unable to fetch chan anns for %v..., %w",
			query.ShortChanIDs[0].ToUint64(), err)
	}

	// Reply with any messages related to those channel ID's, we'll write
	// each one individually and synchronously to throttle the sends and
	// perform buffering of responses in the syncer as opposed to the peer.
	for _, msg := range replyMsgs {
		ctx, _ := g.cg.Create(context.Background())
		err := g.cfg.sendToPeerSync(ctx, msg)
		if err != nil {
			return err
		}
	}

	// Regardless of whether we had any messages to reply with, send over
	// the sentinel message to signal that the stream has terminated.
	return g.cfg.sendToPeerSync(ctx, &ReplyShortChanIDsEnd{
		ChainHash: query.ChainHash,
		Complete:  1,
	})
}
