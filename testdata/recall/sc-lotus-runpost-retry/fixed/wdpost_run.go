// Recall case sc-lotus-runpost-retry
// Source: github.com/filecoin-project/lotus commit 077bc83f7f7bc454ce27b0f44e0de6351d1331c1 (storage/wdpost_run.go)
// Link: https://github.com/filecoin-project/lotus/commit/077bc83f7f7bc454ce27b0f44e0de6351d1331c1
// Bug: When GenerateWindowPoSt fails and reports skipped sectors, runPost retries in an unbounded loop without checking ctx, so a cancelled/expired deadline context is treated as a retryable failure and proving continues after the deadline ended.
// Fix: Before retrying, runPost checks ctx.Err() and aborts, returning the context error.
// Rule: swallowcancel
package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
)

// SectorInfo is a reduced stand-in for proof.SectorInfo.
type SectorInfo struct {
	SectorNumber uint64 `json:"sector"`
}

// PoStPartition is a reduced stand-in for miner.PoStPartition.
type PoStPartition struct {
	Index   uint64
	Skipped map[uint64]bool
}

// SubmitWindowedPoStParams is a reduced stand-in for miner.SubmitWindowedPoStParams.
type SubmitWindowedPoStParams struct {
	Deadline   uint64
	Partitions []PoStPartition
	Proofs     [][]byte
}

// Partition is a reduced stand-in for api.Partition.
type Partition struct {
	LiveSectors []uint64
}

// Prover is the window PoSt prover (a remote worker reached over HTTP).
type Prover interface {
	GenerateWindowPoSt(ctx context.Context, minerID uint64, sectors []SectorInfo, randomness []byte) ([][]byte, []SectorInfo, error)
}

// remoteProver calls a remote proving worker.
type remoteProver struct {
	url    string
	client *http.Client
}

type postResponse struct {
	Proofs  [][]byte     `json:"proofs"`
	Skipped []SectorInfo `json:"skipped"`
	Error   string       `json:"error"`
}

func (p *remoteProver) GenerateWindowPoSt(ctx context.Context, minerID uint64, sectors []SectorInfo, randomness []byte) ([][]byte, []SectorInfo, error) {
	body, err := json.Marshal(map[string]any{"miner": minerID, "sectors": sectors, "rand": randomness})
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/window-post", bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		// a failed request reports every sector as skipped
		return nil, sectors, err
	}
	defer resp.Body.Close()
	var out postResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, sectors, err
	}
	if out.Error != "" {
		return nil, out.Skipped, fmt.Errorf("window post: %s", out.Error)
	}
	return out.Proofs, nil, nil
}

// WindowPoStScheduler is a reduced stand-in for the lotus window PoSt scheduler.
type WindowPoStScheduler struct {
	prover Prover
	actor  uint64
}

func (s *WindowPoStScheduler) runPost(ctx context.Context, deadline uint64, partitionBatches [][]Partition, rand []byte) ([]SubmitWindowedPoStParams, error) {
	// Generate proofs in batches
	posts := make([]SubmitWindowedPoStParams, 0, len(partitionBatches))
	for batchIdx, batch := range partitionBatches {
		batchPartitionStartIdx := 0
		for _, batch := range partitionBatches[:batchIdx] {
			batchPartitionStartIdx += len(batch)
		}

		params := SubmitWindowedPoStParams{
			Deadline:   deadline,
			Partitions: make([]PoStPartition, 0, len(batch)),
			Proofs:     nil,
		}

		skipCount := uint64(0)
		postSkipped := map[uint64]bool{}
		somethingToProve := false

		// Retry until we run out of sectors to prove.
		for retries := 0; ; retries++ {
			var partitions []PoStPartition
			var sinfos []SectorInfo
			for partIdx, partition := range batch {
				var ssi []SectorInfo
				skipped := map[uint64]bool{}
				for _, n := range partition.LiveSectors {
					if postSkipped[n] {
						skipped[n] = true
						continue
					}
					ssi = append(ssi, SectorInfo{SectorNumber: n})
				}
				if len(ssi) == 0 {
					continue
				}

				sinfos = append(sinfos, ssi...)
				partitions = append(partitions, PoStPartition{
					Index:   uint64(batchPartitionStartIdx + partIdx),
					Skipped: skipped,
				})
			}

			if len(sinfos) == 0 {
				// nothing to prove for this batch
				break
			}

			postOut, ps, err := s.prover.GenerateWindowPoSt(ctx, s.actor, sinfos, rand)

			if err == nil {
				if len(postOut) == 0 {
					return nil, fmt.Errorf("received no proofs back from generate window post")
				}

				// Proof generation successful, stop retrying
				somethingToProve = true
				params.Partitions = partitions
				params.Proofs = postOut
				break
			}

			// Proof generation failed, so retry

			if len(ps) == 0 {
				// If we didn't skip any new sectors, we failed
				// for some other reason and we need to abort.
				return nil, fmt.Errorf("running window post failed: %w", err)
			}
			// TODO: maybe mark these as faulty somewhere?

			log.Printf("generate window post skipped sectors: sectors=%v error=%v try=%d", ps, err, retries)

			// Explicitly make sure we haven't aborted this PoSt
			// (GenerateWindowPoSt may or may not check this).
			// Otherwise, we could try to continue proving a
			// deadline after the deadline has ended.
			if ctx.Err() != nil {
				log.Printf("aborting PoSt due to context cancellation: error=%v deadline=%d", ctx.Err(), deadline)
				return nil, ctx.Err()
			}

			skipCount += uint64(len(ps))
			for _, sector := range ps {
				postSkipped[sector.SectorNumber] = true
			}
		}

		// Nothing to prove for this batch, try the next batch
		if !somethingToProve {
			continue
		}

		posts = append(posts, params)
	}

	return posts, nil
}
