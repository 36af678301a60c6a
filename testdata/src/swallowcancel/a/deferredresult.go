package a

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// A class whose New hands its format and arguments to fmt.Errorf: given
// no arguments it wraps nothing.
type uploadClass string

func (c uploadClass) New(format string, args ...any) error {
	return fmt.Errorf(string(c)+": "+format, args...)
}

var uploadError = uploadClass("ecclient")

// A deferred function rewrites the result once the caller's context is
// done, with an error that hides the cancellation (storj's ecclient put).
func uploadPiece(ctx context.Context, c *http.Client, u string) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	defer func() {
		select {
		case <-ctx.Done():
			err = uploadError.New("upload cancelled by user") // want `this deferred function sets the function's error to \(a.uploadClass\).New once ctx is done, replacing the cancellation with an error that does not wrap it`
		default:
		}
	}()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func uploadPieceNew(ctx context.Context, c *http.Client, u string) (err error) {
	defer func() {
		if ctx.Err() != nil {
			err = errors.New("upload cancelled by user") // want `this deferred function sets the function's error to errors.New once ctx is done`
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Negatives.

// The fix: the cancellation stays in the chain.
func uploadPieceJoined(ctx context.Context, c *http.Client, u string) (err error) {
	defer func() {
		select {
		case <-ctx.Done():
			err = errors.Join(context.Canceled, uploadError.New("upload cancelled by user"))
		default:
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The class's New given the error to wrap with %w.
func uploadPieceWrapped(ctx context.Context, c *http.Client, u string) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return uploadError.New("upload failed: %w", err)
	}
	return resp.Body.Close()
}

// A deferred literal that is not run by defer alone (also called) is not
// the function's return.
func uploadPieceHook(ctx context.Context, c *http.Client, u string) (err error) {
	check := func() {
		if ctx.Err() != nil {
			err = errors.New("stopped")
		}
	}
	check()
	defer check()
	return nil
}
