// Recall case nd-boulder-multisource
// Source: github.com/letsencrypt/boulder commit 745eef159bcadab2b373582ad02445eaf77d4985 (ocsp/responder/multi_source.go)
// Link: https://github.com/letsencrypt/boulder/commit/745eef159bcadab2b373582ad02445eaf77d4985
// Bug: multiSource.Response queries the secondary (Redis) source with context.Background(), so that lookup has no deadline at all; when Redis is slow the requests pile up forever (memory leak).
// Fix: the secondary lookup gets a context.Background()-derived ctx carrying the caller's deadline (context.WithDeadline(redisCtx, deadline) when ctx has one).
// Rule: nodeadline
package responder

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Request is a stand-in for ocsp.Request.
type Request struct {
	Serial string
}

// Response is a stand-in for the responder Response.
type Response struct {
	Status     int
	ThisUpdate time.Time
	Raw        []byte
}

// Source represents the logical source of OCSP responses.
type Source interface {
	Response(context.Context, *Request) (*Response, error)
}

var ErrRedisNotFound = errors.New("redis key not found")

// redisSource is a stand-in for the rocsp-backed Source: it talks to Redis over TCP.
type redisSource struct {
	addr string
}

func (s *redisSource) Response(ctx context.Context, req *Request) (*Response, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := fmt.Fprintf(conn, "GET r{%s}\r\n", req.Serial); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return nil, err
	}
	if line == "$-1\r\n" {
		return nil, ErrRedisNotFound
	}
	return &Response{Raw: []byte(line), ThisUpdate: time.Now()}, nil
}

type multiSource struct {
	primary           Source
	secondary         Source
	expectedFreshness time.Duration
	counter           map[string]int
}

// NewMultiSource creates a source that combines a primary and a secondary source.
func NewMultiSource(primary, secondary Source, expectedFreshness time.Duration) (*multiSource, error) {
	if primary == nil || secondary == nil {
		return nil, errors.New("must provide both primary and secondary sources")
	}
	return &multiSource{
		primary:           primary,
		secondary:         secondary,
		expectedFreshness: expectedFreshness,
		counter:           map[string]int{},
	}, nil
}

// Response implements the Source interface.
func (src *multiSource) Response(ctx context.Context, req *Request) (*Response, error) {
	primaryChan := getResponse(ctx, src.primary, req)

	// Use a separate context for the secondary source. This prevents cancellations
	// from reaching the backend layer (Redis) and causing connections to be closed
	// unnecessarily.
	// https://blog.uptrace.dev/posts/go-context-timeout.html
	redisCtx := context.Background()
	deadline, ok := ctx.Deadline()
	if ok {
		// We don't call the CancelFunc returned by WithDeadline because it
		// would defeat the purpose. That leaks the context, but only until
		// the deadline is reached.
		////nolint:govet
		redisCtx, _ = context.WithDeadline(redisCtx, deadline)
	}

	secondaryChan := getResponse(redisCtx, src.secondary, req)

	var primaryResponse *Response

	select {
	case <-ctx.Done():
		src.counter["primary_timed_out"]++
		return nil, ctx.Err()

	case r := <-primaryChan:
		if r.err != nil {
			src.counter["primary_error"]++
			return nil, r.err
		}
		primaryResponse = r.resp
	}

	// The primary response was fresh enough to serve, go ahead and serve it.
	if time.Since(primaryResponse.ThisUpdate) < src.expectedFreshness {
		src.counter["primary_result"]++
		return primaryResponse, nil
	}

	var secondaryResponse *Response
	select {
	case <-ctx.Done():
		src.counter["timed_out_awaiting_secondary"]++
		// Best-effort: return the primary response even though it's stale.
		return primaryResponse, nil

	case secondaryResult := <-secondaryChan:
		if secondaryResult.err != nil {
			src.counter["primary_stale_secondary_error"]++
			return primaryResponse, nil
		}
		secondaryResponse = secondaryResult.resp
	}

	if secondaryResponse.Status != primaryResponse.Status {
		src.counter["primary_stale_status_wins"]++
		return primaryResponse, nil
	}

	src.counter["secondary"]++
	return secondaryResponse, nil
}

type responseResult struct {
	resp *Response
	err  error
}

// getResponse provides a thin wrapper around an underlying Source's Response
// method, calling it in a goroutine and passing the result back on a channel.
func getResponse(ctx context.Context, src Source, req *Request) chan responseResult {
	// Use a buffer so the following goroutine can exit as soon as it's done,
	// rather than blocking on a reader.
	responseChan := make(chan responseResult, 1)

	go func() {
		defer close(responseChan)

		resp, err := src.Response(ctx, req)
		responseChan <- responseResult{resp, err}
	}()

	return responseChan
}
