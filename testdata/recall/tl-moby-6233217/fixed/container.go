// Recall case tl-moby-6233217
// Source: github.com/moby/moby commit 6233217a31395b69aa814c7d3db5cf844eb87437 (integration/internal/container/exec.go)
// Link: https://github.com/moby/moby/pull/40144
// Bug: Exec starts a goroutine that copies the attached stream and sends the result on the unbuffered outputDone; when ctx.Done() wins the select, Exec returns and the copier goroutine blocks forever on the send.
// Fix: outputDone is buffered: make(chan error, 1).
// Rule: timeoutleak
package container

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
)

// ExecResult represents a result returned from Exec()
type ExecResult struct {
	ExitCode  int
	outBuffer *bytes.Buffer
}

// APIClient stands in for the Docker API client; it talks HTTP to the daemon.
type APIClient struct {
	http *http.Client
	host string
}

// ContainerExecAttach starts the exec and returns the hijacked output stream.
func (cli *APIClient) ContainerExecAttach(ctx context.Context, execID string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cli.host+"/exec/"+execID+"/start", strings.NewReader("{}"))
	if err != nil {
		return nil, err
	}
	resp, err := cli.http.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Exec executes a command inside a container, returning the result
// containing stdout and exit code. Note: this is a synchronous operation.
func Exec(ctx context.Context, cli *APIClient, execID string) (ExecResult, error) {
	// run it, with stdout/stderr attached
	aresp, err := cli.ContainerExecAttach(ctx, execID)
	if err != nil {
		return ExecResult{}, err
	}
	defer aresp.Close()

	// read the output
	var outBuf bytes.Buffer
	outputDone := make(chan error, 1)

	go func() {
		// StdCopy demultiplexes the stream into two buffers
		_, err = io.Copy(&outBuf, bufio.NewReader(aresp))
		outputDone <- err
	}()

	select {
	case err := <-outputDone:
		if err != nil {
			return ExecResult{}, err
		}
		break

	case <-ctx.Done():
		return ExecResult{}, ctx.Err()
	}

	return ExecResult{ExitCode: 0, outBuffer: &outBuf}, nil
}
