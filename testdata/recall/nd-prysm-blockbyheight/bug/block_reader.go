// Recall case nd-prysm-blockbyheight
// Source: github.com/prysmaticlabs/prysm commit 8f342cc5bbb6062e4444de6f276ae39d49cb3763 (beacon-chain/powchain/block_reader.go)
// Link: https://github.com/prysmaticlabs/prysm/commit/8f342cc5bbb6062e4444de6f276ae39d49cb3763
// Bug: BlockHashByHeight and BlockTimeByHeight take a caller ctx but issue the eth1 JSON-RPC BlockByNumber call with the service-lifetime w.ctx (no deadline), so the caller's deadline/cancel never reaches the HTTP call.
// Fix: The RPC calls use the caller's ctx instead of w.ctx.
// Rule: nodeadline
package powchain

import (
	"context"
	"fmt"
	"math/big"
)

// BlockHashByHeight returns the block hash of the block at the given height.
func (w *Web3Service) BlockHashByHeight(ctx context.Context, height *big.Int) ([32]byte, error) {
	if exists, blkInfo := w.blockCache.BlockInfoByHeight(height); exists {
		return blkInfo.Hash, nil
	}
	block, err := w.blockFetcher.BlockByNumber(w.ctx, height)
	if err != nil {
		return [32]byte{}, fmt.Errorf("could not query block with given height: %w", err)
	}
	w.blockCache.AddBlock(block)
	return block.Hash, nil
}

// BlockTimeByHeight fetches an eth1.0 block timestamp by its height.
func (w *Web3Service) BlockTimeByHeight(ctx context.Context, height *big.Int) (uint64, error) {
	block, err := w.blockFetcher.BlockByNumber(w.ctx, height)
	if err != nil {
		return 0, fmt.Errorf("could not query block with given height: %w", err)
	}
	return block.Time, nil
}

// BlockNumberByTimestamp returns the most recent block number up to a given timestamp.
func (w *Web3Service) BlockNumberByTimestamp(ctx context.Context, time uint64) (*big.Int, error) {
	head, err := w.blockFetcher.BlockByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}

	for bn := head.Number; ; bn = big.NewInt(0).Sub(bn, big.NewInt(1)) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}

		exists, info := w.blockCache.BlockInfoByHeight(bn)
		if !exists {
			blk, err := w.blockFetcher.BlockByNumber(ctx, bn)
			if err != nil {
				return nil, err
			}
			w.blockCache.AddBlock(blk)
			info = blk
		}

		if info.Time <= time {
			return info.Number, nil
		}
	}
}
