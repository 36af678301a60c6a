// Recall case uw-huatuo-dloadsleep
// Source: github.com/ccfos/huatuo commit c85781b327618ff015a5f775618e19517d409498 (core/autotracing/dload.go)
// Link: https://github.com/ccfos/huatuo/commit/c85781b327618ff015a5f775618e19517d409498
// Bug: dloadTracing.Start polls in a select whose default branch calls time.Sleep(interval); while sleeping (interval may be 60s+) ctx cancellation is not observed, so shutdown is delayed by up to a full interval.
// Fix: Replaced the default-branch time.Sleep with a time.Ticker and a select on ctx.Done() and ticker.C.
// Rule: uncancellablewait
package autotracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrExitByCancelCtx mirrors types.ErrExitByCancelCtx.
var ErrExitByCancelCtx = errors.New("exit by cancel ctx")

type dloadConfig struct {
	Interval        int
	ThresholdLoad   int64
	IntervalTracing int64
	EnableDebug     bool
}

var cfg = struct{ Dload dloadConfig }{Dload: dloadConfig{Interval: 60, ThresholdLoad: 5}}

type containerDloadInfo struct {
	path       string
	nrRunning  uint64
	nrUnint    uint64
	avgnrun    [2]uint64
	lastUpdate time.Time
}

type loadStats struct {
	NrRunning         uint64
	NrUninterruptible uint64
}

var containers = map[string]*containerDloadInfo{}

// updateContainersDload reads per-cgroup task states (stand-in for the
// CGROUPSTATS netlink query).
func updateContainersDload() error {
	entries, err := os.ReadDir("/sys/fs/cgroup/cpu")
	if err != nil {
		return fmt.Errorf("read cgroup dir: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := "/sys/fs/cgroup/cpu/" + e.Name()
		data, err := os.ReadFile(p + "/tasks")
		if err != nil {
			continue
		}
		info, ok := containers[p]
		if !ok {
			info = &containerDloadInfo{path: p}
			containers[p] = info
		}
		info.nrRunning = uint64(len(strings.Fields(string(data))))
		info.lastUpdate = time.Now()
	}
	return nil
}

type dloadThreshold struct {
	thresh          int64
	intervalTracing int64
	debug           bool
}

func detectDloadContainer(threshold *dloadThreshold) (*containerDloadInfo, loadStats, error) {
	for _, c := range containers {
		if int64(c.nrUnint) > threshold.thresh {
			return c, loadStats{NrRunning: c.nrRunning, NrUninterruptible: c.nrUnint}, nil
		}
	}
	return nil, loadStats{}, errors.New("no container over threshold")
}

func buildAndSaveDloadContainer(thresh *dloadThreshold, container *containerDloadInfo, loadstat loadStats) error {
	line := container.path + " " + strconv.FormatUint(loadstat.NrUninterruptible, 10) + "\n"
	f, err := os.OpenFile("/tmp/dload.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(line)
	return err
}

type dloadTracing struct{}

// Start detect work, monitor the load of containers.
func (c *dloadTracing) Start(ctx context.Context) error {
	interval := cfg.Dload.Interval

	thresh := &dloadThreshold{
		thresh:          cfg.Dload.ThresholdLoad,
		intervalTracing: cfg.Dload.IntervalTracing,
		debug:           cfg.Dload.EnableDebug,
	}

	for {
		select {
		case <-ctx.Done():
			return ErrExitByCancelCtx
		default:
			time.Sleep(time.Duration(interval) * time.Second)

			if err := updateContainersDload(); err != nil {
				return err
			}

			container, loadstat, err := detectDloadContainer(thresh)
			if err != nil {
				continue
			}

			_ = buildAndSaveDloadContainer(thresh, container, loadstat)
		}
	}
}
