// Recall case nd-kubo-bitswapsend
// Source: github.com/ipfs/kubo commit 1054b8d8ad930015ee0953a091074c8931c3fddb (exchange/bitswap/bitswap.go)
// Link: https://github.com/ipfs/kubo/commit/1054b8d8ad930015ee0953a091074c8931c3fddb
// Bug: bitswap.send receives the caller's ctx (the Block/getBlock deadline) but calls sender.SendMessage(context.Background(), ...), so the network dial/write to the peer has no deadline and cannot be cancelled.
// Fix: pass the caller's ctx to SendMessage instead of context.Background().
// Rule: nodeadline
package bitswap

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
)

// Key is the stand-in for u.Key.
type Key string

// Peer is the stand-in for peer.Peer.
type Peer struct {
	ID   string
	Addr string
}

// Block is the stand-in for blocks.Block.
type Block struct {
	K    Key
	Data []byte
}

// BitSwapMessage is the stand-in for bsmsg.BitSwapMessage.
type BitSwapMessage struct {
	Wanted []Key
	Blocks []Block
}

func (m *BitSwapMessage) AppendWanted(k Key) { m.Wanted = append(m.Wanted, k) }

// NetworkAdapter mediates the exchange's communication with the network.
type NetworkAdapter interface {
	// SendMessage sends a BitSwap message to a peer.
	SendMessage(context.Context, *Peer, *BitSwapMessage) error
}

// networkAdapter is the stand-in for bsnet.NewNetworkAdapter: it dials the
// peer and writes the message on the wire.
type networkAdapter struct {
	dialer net.Dialer
}

func (a *networkAdapter) SendMessage(ctx context.Context, p *Peer, m *BitSwapMessage) error {
	conn, err := a.dialer.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	return json.NewEncoder(conn).Encode(m)
}

// Routing is the stand-in for the bitswap Routing interface.
type Routing interface {
	FindProvidersAsync(context.Context, Key, int) <-chan *Peer
}

// strategy is the stand-in for strategy.Strategy (ledger accounting).
type strategy struct {
	mu   sync.Mutex
	sent map[string]int
}

func (s *strategy) MessageSent(p *Peer, m *BitSwapMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[p.ID]++
}

// notifications is the stand-in for notifications.PubSub.
type notifications struct {
	mu   sync.Mutex
	subs map[Key][]chan Block
}

func (n *notifications) Subscribe(ctx context.Context, k Key) <-chan Block {
	ch := make(chan Block, 1)
	n.mu.Lock()
	n.subs[k] = append(n.subs[k], ch)
	n.mu.Unlock()
	go func() {
		<-ctx.Done()
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, c := range n.subs[k] {
			if c == ch {
				n.subs[k] = append(n.subs[k][:i], n.subs[k][i+1:]...)
				close(ch)
				break
			}
		}
	}()
	return ch
}

var ErrTimeout = errors.New("timeout")

// bitswap instances implement the bitswap protocol.
type bitswap struct {
	// sender delivers messages on behalf of the session
	sender NetworkAdapter

	// routing interface for communication
	routing Routing

	notifications *notifications

	strategy *strategy
}

// GetBlock attempts to retrieve a particular block from peers within the
// deadline enforced by the context
func (bs *bitswap) Block(ctx context.Context, k Key) (*Block, error) {
	provs_ch := bs.routing.FindProvidersAsync(ctx, k, 20)

	blockChannel := make(chan Block)

	go func() {
		for p := range provs_ch {
			go func(pr *Peer) {
				blk, err := bs.getBlock(ctx, k, pr)
				if err != nil {
					return
				}
				select {
				case blockChannel <- *blk:
				default:
				}
			}(p)
		}
	}()

	select {
	case block := <-blockChannel:
		return &block, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (bs *bitswap) getBlock(ctx context.Context, k Key, p *Peer) (*Block, error) {
	blockChannel := bs.notifications.Subscribe(ctx, k)

	message := &BitSwapMessage{}
	message.AppendWanted(k)

	bs.send(ctx, p, message)

	block, ok := <-blockChannel
	if !ok {
		return nil, ErrTimeout
	}
	return &block, nil
}

// send strives to ensure that accounting is always performed when a message is
// sent
func (bs *bitswap) send(ctx context.Context, p *Peer, m *BitSwapMessage) {

	bs.sender.SendMessage(context.Background(), p, m)
	bs.strategy.MessageSent(p, m)
}
