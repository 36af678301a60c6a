// Recall case sd-renterd-record-host-scan
// Source: github.com/SiaFoundation/renterd commit e12dc6ff8e3341d956f1fd1f02180b897197f291 (worker/worker.go)
// Link: https://github.com/SiaFoundation/renterd/commit/e12dc6ff8e3341d956f1fd1f02180b897197f291
// Bug: scanHost records the scan result on the bus with a fresh context.WithTimeout(context.Background(), 30s), ignoring the request ctx it was given, so the bus call neither follows the caller's cancellation nor its deadline (and is cut at an arbitrary 30s).
// Fix: RecordHostScans is called with the caller's ctx instead of a new Background-derived 30s context.
// Rule: sharedeadline
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

type HostSettings struct {
	NetAddress string `json:"netaddress"`
}

type HostScan struct {
	HostKey   string       `json:"hostKey"`
	Success   bool         `json:"success"`
	Timestamp time.Time    `json:"timestamp"`
	Settings  HostSettings `json:"settings"`
}

// bus is the worker's client for the renterd bus API.
type bus struct {
	addr string
	c    *http.Client
}

func (b *bus) RecordHostScans(ctx context.Context, scans []HostScan) error {
	buf, err := json.Marshal(scans)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.addr+"/hosts/scans", bytes.NewReader(buf))
	if err != nil {
		return err
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bus: status %d", resp.StatusCode)
	}
	return nil
}

type worker struct {
	bus             *bus
	allowPrivateIPs bool
	logger          *log.Logger
}

func (w *worker) fetchSettings(ctx context.Context, hostIP string) (HostSettings, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostIP)
	if err != nil {
		return HostSettings{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write([]byte("settings\n")); err != nil {
		return HostSettings{}, err
	}
	var settings HostSettings
	if err := json.NewDecoder(conn).Decode(&settings); err != nil {
		return HostSettings{}, fmt.Errorf("failed to fetch host settings: %w", err)
	}
	return settings, nil
}

func (w *worker) scanHost(ctx context.Context, timeout time.Duration, hostKey string, hostIP string) (HostSettings, time.Duration, error) {
	// prepare a helper for scanning
	scan := func() (HostSettings, time.Duration, error) {
		// helper to prepare a context for scanning
		withTimeoutCtx := func() (context.Context, context.CancelFunc) {
			if timeout > 0 {
				return context.WithTimeout(ctx, timeout)
			}
			return ctx, func() {}
		}
		// resolve the address
		{
			scanCtx, cancel := withTimeoutCtx()
			defer cancel()
			if !w.allowPrivateIPs {
				host, _, err := net.SplitHostPort(hostIP)
				if err != nil {
					return HostSettings{}, 0, err
				}
				if _, err := (&net.Resolver{}).LookupIPAddr(scanCtx, host); err != nil {
					return HostSettings{}, 0, err
				}
			}
		}

		// fetch the host settings
		start := time.Now()
		scanCtx, cancel := withTimeoutCtx()
		defer cancel()
		settings, err := w.fetchSettings(scanCtx, hostIP)
		if err != nil {
			return settings, time.Since(start), err
		}
		settings.NetAddress = hostIP
		return settings, time.Since(start), nil
	}

	// scan: first try
	settings, duration, err := scan()
	if err != nil {
		// scan: second try
		select {
		case <-ctx.Done():
			return HostSettings{}, 0, context.Cause(ctx)
		case <-time.After(time.Second):
		}
		settings, duration, err = scan()
	}

	// check if the scan failed due to a shutdown
	select {
	case <-ctx.Done():
		return HostSettings{}, 0, context.Cause(ctx)
	default:
	}

	// record host scan - make sure this isn't interrupted by the same context
	// used to time out the scan itself because otherwise we won't be able to
	// record scans that timed out.
	recordCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scanErr := w.bus.RecordHostScans(recordCtx, []HostScan{
		{
			HostKey:   hostKey,
			Success:   err == nil,
			Timestamp: time.Now(),
			Settings:  settings,
		},
	})
	if scanErr != nil {
		w.logger.Printf("failed to record host scan: %v", scanErr)
	}
	return settings, duration, err
}

// rhpScanHandler is the HTTP handler that triggers a scan.
func (w *worker) rhpScanHandler(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	hostKey := r.URL.Query().Get("hostKey")
	hostIP := r.URL.Query().Get("hostIP")
	timeout, _ := time.ParseDuration(r.URL.Query().Get("timeout"))

	settings, elapsed, err := w.scanHost(ctx, timeout, hostKey, hostIP)
	var errStr string
	if err != nil {
		errStr = err.Error()
	}
	_ = json.NewEncoder(rw).Encode(map[string]any{
		"ping":      elapsed.Milliseconds(),
		"settings":  settings,
		"scanError": errStr,
	})
}
