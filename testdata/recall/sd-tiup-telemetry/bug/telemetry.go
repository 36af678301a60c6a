// Recall case sd-tiup-telemetry
// Source: github.com/pingcap/tiup commit ef7963905a50339eb05169d7812a2426bf3cffa7 (pkg/telemetry/telemetry.go)
// Link: https://github.com/pingcap/tiup/commit/ef7963905a50339eb05169d7812a2426bf3cffa7
// Bug: Telemetry.Report receives the caller's 2-second ctx but HTTPClient.Post ignores it and uses the client's own fixed 10-second Timeout, so the report outlives the caller's deadline.
// Fix: HTTPClient.Get/Post take a ctx and build the request with req.WithContext(ctx); Report passes its ctx through.
// Rule: sharedeadline
package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

var defaultURL = "https://telemetry.pingcap.com/api/v1/clusters/report"

// Report is a reduced stand-in for the telemetry protobuf report.
type Report struct {
	InstallationUUID string `json:"installation_uuid"`
	ExitCode         int32  `json:"exit_code"`
	TakeMilliseconds uint64 `json:"take_milliseconds"`
}

// Telemetry control telemetry.
type Telemetry struct {
	url string
	cli *HTTPClient
}

// NewTelemetry return a new Telemetry instance.
func NewTelemetry() *Telemetry {
	cli := NewHTTPClient(time.Second*10, nil)

	return &Telemetry{
		url: defaultURL,
		cli: cli,
	}
}

// Report report the msg right away.
func (t *Telemetry) Report(ctx context.Context, msg *Report) error {
	dst, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("marshal report: %w", err)
	}

	if _, err = t.cli.Post(t.url, bytes.NewReader(dst)); err != nil {
		return fmt.Errorf("post report: %w", err)
	}

	return nil
}
