// Recall case uw-nview-sleeploops
// Source: github.com/blinklabs-io/nview commit 7ded9770cc7cf393d7742a349bbd893bb6237097 (main.go)
// Link: https://github.com/blinklabs-io/nview/commit/7ded9770cc7cf393d7742a349bbd893bb6237097
// Bug: the "Set Epoch" and "Set uptimes" background loops started in main sleep with time.Sleep between iterations, so after ctx is cancelled they keep sleeping (up to 20s) instead of stopping, unlike the sibling loops that select on ctx.Done().
// Fix: both time.Sleep calls are replaced by select { case <-ctx.Done(): return; case <-time.After(d): }.
// Rule: uncancellablewait
package nview

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// Config is a reduced stand-in for the nview config.
type Config struct {
	Prometheus struct {
		Host    string
		Port    uint32
		Refresh uint32
	}
}

var failCount atomic.Uint32

// Track current epoch
var currentEpoch uint64 = 0

func setCurrentEpoch() {
	if promMetrics != nil {
		currentEpoch = promMetrics.EpochNum
	}
}

var promMetrics *PromMetrics

type PromMetrics struct {
	BlockNum uint64 `json:"cardano_node_metrics_blockNum_int"`
	EpochNum uint64 `json:"cardano_node_metrics_epoch_int"`
}

var cfg Config

func getPromMetrics(ctx context.Context) (*PromMetrics, error) {
	url := fmt.Sprintf("http://%s:%d/metrics", cfg.Prometheus.Host, cfg.Prometheus.Port)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m PromMetrics
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return &m, err
	}
	return &m, nil
}

// Process is a stand-in for github.com/shirou/gopsutil/v3/process.Process.
type Process struct {
	Pid int32
}

// CreateTimeWithContext returns the process start time in milliseconds since epoch.
func (p *Process) CreateTimeWithContext(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(fmt.Sprintf("/proc/%d", p.Pid))
	if err != nil {
		return 0, err
	}
	return fi.ModTime().UnixMilli(), nil
}

var processMetrics *Process

var uptimes uint64

func getUptimes(ctx context.Context, processMetrics *Process) uint64 {
	if processMetrics == nil {
		return uptimes
	}
	// Calculate uptime
	createTime, err := processMetrics.CreateTimeWithContext(ctx)
	if err != nil {
		return uptimes
	}
	// createTime is milliseconds since UNIX epoch, convert to seconds
	// #nosec G115
	uptimes = uint64(time.Now().Unix() - (createTime / 1000))
	return uptimes
}

// runApp stands in for the tview application loop: it blocks until the user quits.
func runApp() error {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "q" {
			return nil
		}
	}
	return sc.Err()
}

// Main is the body of nview's main().
func Main() error {
	// Create a background context
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	processMetrics = &Process{Pid: int32(os.Getpid())}

	// Fetch data from Prometheus
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			prom, err := getPromMetrics(ctx)
			if err != nil && prom != nil {
				failCount.Add(1)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second * time.Duration(cfg.Prometheus.Refresh)):
				}
				continue
			} else if prom == nil {
				if promMetrics == nil {
					promMetrics = &PromMetrics{}
				}
				failCount.Add(1)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second * time.Duration(cfg.Prometheus.Refresh)):
				}
				continue
			}
			promMetrics = prom
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second * time.Duration(cfg.Prometheus.Refresh)):
			}
		}
	}()

	// Set Epoch
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			setCurrentEpoch()
			if currentEpoch != 0 {
				time.Sleep(time.Second * 20)
			}
		}
	}()

	// Set uptimes
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			uptime := getUptimes(ctx, processMetrics)
			if uptime != 0 {
				uptimes = uptime
			}
			time.Sleep(time.Second * 1)
		}
	}()

	return runApp()
}
