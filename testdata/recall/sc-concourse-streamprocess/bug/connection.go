// Recall case sc-concourse-streamprocess
// Source: github.com/concourse/concourse commit c55975817d630e447fd3c5d7d6403e952b431e18 (atc/worker/gclient/connection/connection.go)
// Link: https://github.com/concourse/concourse/commit/c55975817d630e447fd3c5d7d6403e952b431e18
// Bug: When ctx is done while streaming, the process is marked exited with errors.New("... canceled by context.Done"), a fresh error that drops ctx.Err(), so Wait() callers cannot tell context.Canceled/DeadlineExceeded apart (errors.Is fails).
// Fix: The exit error is built with fmt.Errorf("...: %w", ctx.Err()) so the context error is wrapped.
// Rule: swallowcancel
package connection

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
)

// ProcessPayload is the message exchanged on the hijacked connection.
type ProcessPayload struct {
	ProcessID  string `json:"process_id,omitempty"`
	StreamID   string `json:"stream_id,omitempty"`
	ExitStatus *int   `json:"exit_status,omitempty"`
	Error      string `json:"error,omitempty"`
}

// ProcessIO is a stand-in for garden.ProcessIO.
type ProcessIO struct {
	Stdout io.Writer
}

// Hijacker opens a raw stream to the garden server.
type Hijacker interface {
	Hijack(ctx context.Context, streamType string, params map[string]string) (net.Conn, io.Reader, error)
}

// TCPHijacker dials the garden server directly.
type TCPHijacker struct {
	Addr string
}

func (h *TCPHijacker) Hijack(ctx context.Context, streamType string, params map[string]string) (net.Conn, io.Reader, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", h.Addr)
	if err != nil {
		return nil, nil, err
	}
	if _, err := fmt.Fprintf(conn, "GET /containers/%s/processes/%s/%s HTTP/1.1\r\nHost: api\r\n\r\n", params["handle"], params["pid"], streamType); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, bufio.NewReader(conn), nil
}

type waitResult struct {
	exitCode int
	err      error
}

func wait(decoder *json.Decoder) <-chan waitResult {
	ch := make(chan waitResult, 1)
	go func() {
		for {
			payload := &ProcessPayload{}
			if err := decoder.Decode(payload); err != nil {
				ch <- waitResult{-1, fmt.Errorf("connection: decode failed: %w", err)}
				return
			}
			if payload.Error != "" {
				ch <- waitResult{-1, fmt.Errorf("connection: process error: %s", payload.Error)}
				return
			}
			if payload.ExitStatus != nil {
				ch <- waitResult{*payload.ExitStatus, nil}
				return
			}
		}
	}()
	return ch
}

type connection struct {
	hijacker Hijacker
}

func (c *connection) streamProcess(ctx context.Context, handle string, processIO ProcessIO, hijackedConn net.Conn, hijackedResponseReader *bufio.Reader) (*process, error) {
	decoder := json.NewDecoder(hijackedResponseReader)

	payload := &ProcessPayload{}
	if err := decoder.Decode(payload); err != nil {
		return nil, err
	}

	process := newProcess(payload.ProcessID)

	var stdoutConn net.Conn
	if processIO.Stdout != nil {
		var (
			stdout io.Reader
			err    error
		)
		stdoutConn, stdout, err = c.hijacker.Hijack(ctx, "stdout", map[string]string{
			"handle":   handle,
			"pid":      payload.ProcessID,
			"streamid": payload.StreamID,
		})
		if err != nil {
			werr := fmt.Errorf("connection: failed to hijack stream stdout: %s", err)
			process.exited(0, werr)
			hijackedConn.Close()
			return process, nil
		}
		go io.Copy(processIO.Stdout, stdout)
	}

	go func() {
		defer hijackedConn.Close()
		if stdoutConn != nil {
			defer stdoutConn.Close()
		}

		select {
		case <-ctx.Done():
			process.exited(-1, errors.New("stdin/stdout/stderr streams were canceled by context.Done"))
		case waitedFor := <-wait(decoder):
			process.exited(waitedFor.exitCode, waitedFor.err)
		}
	}()

	return process, nil
}
