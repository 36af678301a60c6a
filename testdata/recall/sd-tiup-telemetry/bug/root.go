// Recall case sd-tiup-telemetry
// Source: github.com/pingcap/tiup commit ef7963905a50339eb05169d7812a2426bf3cffa7 (cmd/root.go)
// Link: https://github.com/pingcap/tiup/commit/ef7963905a50339eb05169d7812a2426bf3cffa7
// Bug: Telemetry.Report receives the caller's 2-second ctx but HTTPClient.Post ignores it and uses the client's own fixed 10-second Timeout, so the report outlives the caller's deadline.
// Fix: HTTPClient.Get/Post take a ctx and build the request with req.WithContext(ctx); Report passes its ctx through.
// Rule: sharedeadline
package telemetry

import (
	"context"
	"fmt"
	"time"
)

// reportExecution mirrors the deferred telemetry block at the end of Execute()
// in cmd/root.go: the whole report is bounded by a 2 second context.
func reportExecution(start time.Time, code int) {
	teleReport := &Report{}
	teleReport.ExitCode = int32(code)
	teleReport.TakeMilliseconds = uint64(time.Since(start).Milliseconds())
	tele := NewTelemetry()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second*2)
	err := tele.Report(ctx, teleReport)
	if err != nil {
		fmt.Printf("report failed: %v\n", err)
	}
	cancel()
}
