// Recall case sc-lnd-gossipsyncer
// Source: github.com/lightningnetwork/lnd commit 06c7d6045253ecc4c3f2081b54760c32b0900e02 (discovery/syncer.go)
// Link: https://github.com/lightningnetwork/lnd/commit/06c7d6045253ecc4c3f2081b54760c32b0900e02
// Bug: handleSyncingChans only logs the context.Canceled error from genChanRangeQuery/sendToPeer and returns nothing, so channelGraphSyncer stays in syncingChans and re-enters the handler forever (endless retry loop) after the context is cancelled.
// Fix: handleSyncingChans returns the error and channelGraphSyncer exits the goroutine when it is non-nil.
// Rule: swallowcancel
package gossipsync

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"sync"
)

// ErrPeerExiting is returned when the peer's queue is shutting down.
var ErrPeerExiting = errors.New("peer exiting")

type syncerState uint32

const (
	syncingChans syncerState = iota
	waitingQueryRangeReply
	queryNewChannels
	chansSynced
)

// Message is a wire message (lnwire.Message).
type Message interface {
	MsgType() uint16
}

type QueryChannelRange struct {
	ChainHash        [32]byte
	FirstBlockHeight uint32
	NumBlocks        uint32
}

func (*QueryChannelRange) MsgType() uint16 { return 263 }

type ReplyChannelRange struct {
	Complete uint8
}

func (*ReplyChannelRange) MsgType() uint16 { return 264 }

type ShortChannelID struct {
	BlockHeight uint32
	TxIndex     uint32
	TxPosition  uint16
}

// ChannelGraphTimeSeries is backed by the graph database.
type ChannelGraphTimeSeries interface {
	HighestChanID(ctx context.Context, chain [32]byte) (*ShortChannelID, error)
}

// sqlChannelSeries is the SQL graph store implementation.
type sqlChannelSeries struct {
	db *sql.DB
}

func (s *sqlChannelSeries) HighestChanID(ctx context.Context,
	chain [32]byte) (*ShortChannelID, error) {

	var scid ShortChannelID
	row := s.db.QueryRowContext(ctx,
		"SELECT block_height, tx_index, tx_position FROM channels "+
			"WHERE chain_hash = $1 ORDER BY scid DESC LIMIT 1", chain[:])
	if err := row.Scan(&scid.BlockHeight, &scid.TxIndex,
		&scid.TxPosition); err != nil {

		return nil, err
	}

	return &scid, nil
}

// peerQueue is the peer's outgoing message queue (Brontide).
type peerQueue struct {
	outgoing chan Message
	quit     chan struct{}
}

func (p *peerQueue) sendMessages(ctx context.Context, sync bool,
	msgs ...Message) error {

	for _, msg := range msgs {
		select {
		case p.outgoing <- msg:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.quit:
			return ErrPeerExiting
		}
	}

	return nil
}

type gossipSyncerCfg struct {
	chainHash     [32]byte
	peerPub       [33]byte
	channelSeries ChannelGraphTimeSeries
	sendMsg       func(context.Context, bool, ...Message) error
	bestHeight    func() uint32
}

type GossipSyncer struct {
	cfg gossipSyncerCfg

	state syncerState

	genHistoricalChanRangeQuery bool
	curQueryRangeMsg            *QueryChannelRange

	gossipMsgs chan Message
	quit       chan struct{}
	wg         sync.WaitGroup

	sync.Mutex
}

const chanRangeQueryBuffer = 144

func (g *GossipSyncer) setSyncState(state syncerState) {
	g.state = state
}

func (g *GossipSyncer) syncState() syncerState {
	return g.state
}

// handleSyncingChans handles the state syncingChans for the GossipSyncer. When
// in this state, we will send a QueryChannelRange msg to our peer and advance
// the syncer's state to waitingQueryRangeReply. Returns an error if a fatal
// error occurs that should cause the goroutine to exit.
func (g *GossipSyncer) handleSyncingChans(ctx context.Context) error {
	// Prepare the query msg.
	queryRangeMsg, err := g.genChanRangeQuery(
		ctx, g.genHistoricalChanRangeQuery,
	)
	if err != nil {
		log.Printf("Unable to gen chan range query: %v", err)

		// Any error here is likely fatal (context cancelled, db error,
		// etc.), so return it to exit the goroutine cleanly.
		return err
	}

	// Acquire a lock so the following state transition is atomic.
	g.Lock()
	defer g.Unlock()

	// Send the msg to the remote peer, which is non-blocking as
	// `sendToPeer` only queues the msg in Brontide.
	err = g.sendToPeer(ctx, queryRangeMsg)
	if err != nil {
		log.Printf("Unable to send chan range query: %v", err)

		// Any send error (peer exiting, connection closed, rate
		// limiter signaling exit, etc.) is fatal, so return it to
		// exit the goroutine cleanly.
		return err
	}

	// With the message sent successfully, we'll transition into the next
	// state where we wait for their reply.
	g.setSyncState(waitingQueryRangeReply)

	return nil
}

// channelGraphSyncer is the main goroutine responsible for ensuring that we
// properly channel graph state with the remote peer.
func (g *GossipSyncer) channelGraphSyncer(ctx context.Context) {
	defer g.wg.Done()

	for {
		state := g.syncState()

		switch state {
		// When we're in this state, we're trying to synchronize our
		// view of the network with the remote peer.
		case syncingChans:
			err := g.handleSyncingChans(ctx)
			if err != nil {
				log.Printf("GossipSyncer(%x): exiting due to "+
					"error in syncingChans: %v",
					g.cfg.peerPub[:], err)

				return
			}

		// In this state, we've sent out our initial channel range
		// query and are waiting for the final response from the remote
		// peer.
		case waitingQueryRangeReply:
			select {
			case msg := <-g.gossipMsgs:
				if _, ok := msg.(*ReplyChannelRange); ok {
					g.setSyncState(chansSynced)
					continue
				}

				log.Printf("Unexpected message: %T in state=%v",
					msg, state)

			case <-g.quit:
				return

			case <-ctx.Done():
				return
			}

		case chansSynced:
			select {
			case <-g.quit:
				return

			case <-ctx.Done():
				return
			}
		}
	}
}

// genChanRangeQuery generates the initial message we'll send to the remote
// party when we're kicking off the channel graph synchronization upon
// connection.
func (g *GossipSyncer) genChanRangeQuery(ctx context.Context,
	historicalQuery bool) (*QueryChannelRange, error) {

	// First, we'll query our channel graph time series for its highest
	// known channel ID.
	newestChan, err := g.cfg.channelSeries.HighestChanID(
		ctx, g.cfg.chainHash,
	)
	if err != nil {
		return nil, err
	}

	var startHeight uint32
	switch {
	case historicalQuery:
		fallthrough
	case newestChan.BlockHeight <= chanRangeQueryBuffer:
		startHeight = 0
	default:
		startHeight = newestChan.BlockHeight - chanRangeQueryBuffer
	}

	bestHeight := g.cfg.bestHeight()
	numBlocks := bestHeight - startHeight
	if int64(numBlocks) < 1 {
		numBlocks = 1
	}

	query := &QueryChannelRange{
		ChainHash:        g.cfg.chainHash,
		FirstBlockHeight: startHeight,
		NumBlocks:        numBlocks,
	}

	g.curQueryRangeMsg = query

	return query, nil
}

// sendToPeer sends a variadic number of messages to the remote peer. This
// method should not block while waiting for sends to be written to the wire.
func (g *GossipSyncer) sendToPeer(ctx context.Context,
	msgs ...Message) error {

	return g.sendMsgRateLimited(ctx, false, msgs...)
}

func (g *GossipSyncer) sendMsgRateLimited(ctx context.Context, sync bool,
	msgs ...Message) error {

	for _, msg := range msgs {
		err := g.cfg.sendMsg(ctx, sync, msg)
		if err != nil {
			return err
		}
	}

	return nil
}

func newGossipSyncer(db *sql.DB, peer *peerQueue,
	bestHeight func() uint32) *GossipSyncer {

	return &GossipSyncer{
		cfg: gossipSyncerCfg{
			channelSeries: &sqlChannelSeries{db: db},
			sendMsg:       peer.sendMessages,
			bestHeight:    bestHeight,
		},
		gossipMsgs: make(chan Message, 10),
		quit:       make(chan struct{}),
	}
}

// Start runs the syncer under the caller's context.
func (g *GossipSyncer) Start(ctx context.Context) {
	g.wg.Add(1)
	go g.channelGraphSyncer(ctx)
}

// Stop signals the syncer to exit and waits for it.
func (g *GossipSyncer) Stop() {
	close(g.quit)
	g.wg.Wait()
}
