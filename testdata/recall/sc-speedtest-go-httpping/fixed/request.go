// Recall case sc-speedtest-go-httpping
// Source: github.com/showwin/speedtest-go commit f5ed86967c491327990d3aa597cea3262ce28a00 (speedtest/request.go)
// Link: https://github.com/showwin/speedtest-go/commit/f5ed86967c491327990d3aa597cea3262ce28a00
// Bug: HTTPPing treats a request that failed because ctx was cancelled or hit its deadline like any other failure: it keeps looping (continue) and finally returns ErrConnectTimeout, or nil if some pings had succeeded, so the context error is lost.
// Fix: on errors.Is(err, context.Canceled/DeadlineExceeded) the loop stops and that context error is returned (with the latencies collected so far).
// Rule: swallowcancel
package speedtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"
)

var ErrConnectTimeout = errors.New("server connect timeout")

// Speedtest holds the shared HTTP client ("doer").
type Speedtest struct {
	doer *http.Client
}

// Server is a speedtest server.
type Server struct {
	URL     string
	Context *Speedtest
}

func (s *Server) HTTPPing(
	ctx context.Context,
	echoTimes int,
	echoFreq time.Duration,
	callback func(latency time.Duration),
) (latencies []int64, err error) {
	var contextErr error
	u, err := url.Parse(s.URL)
	if err != nil || len(u.Host) == 0 {
		return nil, err
	}
	u.Path = path.Dir(u.Path)
	pingDst := u.JoinPath("latency.txt").String()
	failTimes := 0
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pingDst, nil)
	if err != nil {
		return nil, err
	}
	for i := 0; i < echoTimes; i++ {
		sTime := time.Now()
		resp, err := s.Context.doer.Do(req)
		endTime := time.Since(sTime)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				contextErr = err
				break
			}

			failTimes++
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		latencies = append(latencies, endTime.Nanoseconds()/2)
		if callback != nil {
			callback(endTime / 2)
		}
		// (upstream sleeps echoFreq here; omitted in this reduction)
	}

	if contextErr != nil {
		return latencies, contextErr
	}

	if failTimes == echoTimes {
		return nil, ErrConnectTimeout
	}
	return
}
