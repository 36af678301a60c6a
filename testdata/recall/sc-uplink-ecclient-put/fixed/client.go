// Recall case sc-uplink-ecclient-put
// Source: github.com/storj/uplink commit 6b558c6e4c182433d5106103990713ecf9246f76 (private/ecclient/client.go)
// Link: https://github.com/storj/uplink/commit/6b558c6e4c182433d5106103990713ecf9246f76
// Bug: When the caller's ctx is cancelled during an erasure-coded upload, the deferred check in ecClient.put replaces the result with a brand-new error "upload cancelled by user", so context.Canceled is lost and callers' errors.Is(err, context.Canceled)/errs2.IsCanceled checks fail.
// Fix: combine context.Canceled with the message (errs.Combine) so the cancellation stays the primary error in the chain.
// Rule: swallowcancel
package ecclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// errClass mimics zeebo/errs.Class: New formats a fresh error with the class prefix.
type errClass string

func (c errClass) New(format string, args ...any) error {
	return fmt.Errorf(string(c)+": "+format, args...)
}

// Error is the default error class for ecclient.
var Error = errClass("ecclient")

// AddressedOrderLimit is the order limit for one storage node.
type AddressedOrderLimit struct {
	StorageNodeID string
	Address       string
}

// PieceHash is the hash a storage node returns for an uploaded piece.
type PieceHash struct {
	PieceID string
}

type ecClient struct {
	client *http.Client
}

func (ec *ecClient) put(ctx context.Context, limits []*AddressedOrderLimit, readers []io.Reader, optimalThreshold int) (successfulHashes []*PieceHash, err error) {
	pieceCount := len(limits)
	if pieceCount != len(readers) {
		return nil, Error.New("size of limits slice (%d) does not match readers (%d)", pieceCount, len(readers))
	}

	type info struct {
		i    int
		err  error
		hash *PieceHash
	}
	infos := make(chan info, pieceCount)

	piecesCtx, piecesCancel := context.WithCancel(ctx)
	defer piecesCancel()

	for i, addressedLimit := range limits {
		go func(i int, addressedLimit *AddressedOrderLimit) {
			hash, err := ec.PutPiece(piecesCtx, ctx, addressedLimit, readers[i])
			infos <- info{i: i, err: err, hash: hash}
		}(i, addressedLimit)
	}

	successfulHashes = make([]*PieceHash, pieceCount)
	var successfulCount, failureCount, cancellationCount int32
	for range limits {
		info := <-infos

		if limits[info.i] == nil {
			continue
		}

		if info.err != nil {
			if !errors.Is(info.err, context.Canceled) {
				failureCount++
			} else {
				cancellationCount++
			}
			continue
		}

		successfulHashes[info.i] = info.hash

		successfulCount++
		if int(successfulCount) >= optimalThreshold {
			// cancelling remaining uploads
			piecesCancel()
		}
	}

	defer func() {
		select {
		case <-ctx.Done():
			// make sure context.Canceled is the primary error in the error chain
			// for later errors.Is/errs2.IsCanceled checking
			err = errors.Join(context.Canceled, Error.New("upload cancelled by user"))
		default:
		}
	}()

	if int(successfulCount) < optimalThreshold {
		return nil, Error.New("successful puts (%d) less than success threshold (%d), failed %d, canceled %d", successfulCount, optimalThreshold, failureCount, cancellationCount)
	}

	return successfulHashes, nil
}

// PutPiece uploads one piece to one storage node.
func (ec *ecClient) PutPiece(ctx, parent context.Context, limit *AddressedOrderLimit, data io.Reader) (hash *PieceHash, err error) {
	if limit == nil {
		_, _ = io.Copy(io.Discard, data)
		return nil, nil
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+limit.Address+"/piece", data)
	if err != nil {
		return nil, err
	}
	resp, err := ec.client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			// Canceled context means the piece upload was interrupted by user or due
			// to slow connection. No error logging for this case.
			if errors.Is(parent.Err(), context.Canceled) {
				err = Error.New("upload canceled by user: %w", err)
			} else {
				err = Error.New("upload cut due to slow connection (node:%v): %w", limit.StorageNodeID, err)
			}

			// make sure context.Canceled is the primary error in the error chain
			// for later errors.Is/errs2.IsCanceled checking
			err = errors.Join(context.Canceled, err)
		} else {
			err = Error.New("upload failed (node:%v, address:%v): %w", limit.StorageNodeID, limit.Address, err)
		}
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()

	return &PieceHash{PieceID: resp.Header.Get("Piece-Id")}, nil
}
