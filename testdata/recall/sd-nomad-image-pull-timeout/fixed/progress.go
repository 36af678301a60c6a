// Recall case sd-nomad-image-pull-timeout
// Source: github.com/hashicorp/nomad commit 62ef621582d5e9d6da544d9baaadfb39b502fc07 (drivers/docker/coordinator.go)
// Link: https://github.com/hashicorp/nomad/commit/62ef621582d5e9d6da544d9baaadfb39b502fc07
// Bug: dockerCoordinator.pullImageImpl builds its image_pull_timeout budget with context.WithTimeout(context.Background(), pullTimeout) but calls ImagePull with the driver ctx d.ctx, so the pull timeout and the inactivity cancel never reach the Docker API call
// Fix: derive pullCtx from d.ctx with the pull timeout and pass pullCtx to ImagePull (and let PullImage stop waiting on the future when d.ctx is done)
// Rule: sharedeadline
package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"
)

const dockerImageProgressReportInterval = 10 * time.Second

type jsonMessage struct {
	Status string `json:"status"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// imageProgressManager consumes the pull progress stream and cancels the pull
// when no progress has been reported for activityDeadline.
type imageProgressManager struct {
	mu               sync.Mutex
	lastStatusTime   time.Time
	image            string
	activityDeadline time.Duration
	cancel           context.CancelFunc
	stopCh           chan struct{}
	buf              bytes.Buffer
}

func newImageProgressManager(image string, cancel context.CancelFunc, pullActivityTimeout time.Duration) *imageProgressManager {
	pm := &imageProgressManager{
		image:            image,
		activityDeadline: pullActivityTimeout,
		lastStatusTime:   time.Now(),
		cancel:           cancel,
		stopCh:           make(chan struct{}),
	}
	pm.start()
	return pm
}

// start initiates the ticker to trigger the inactivity handler
func (pm *imageProgressManager) start() {
	go func() {
		ticker := time.NewTicker(dockerImageProgressReportInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				pm.mu.Lock()
				last := pm.lastStatusTime
				pm.mu.Unlock()
				if time.Since(last) > pm.activityDeadline {
					pm.cancel()
					return
				}
			case <-pm.stopCh:
				return
			}
		}
	}()
}

func (pm *imageProgressManager) stop() {
	close(pm.stopCh)
}

func (pm *imageProgressManager) Write(p []byte) (n int, err error) {
	n, err = pm.buf.Write(p)
	var msg jsonMessage

	for {
		line, err := pm.buf.ReadBytes('\n')
		if err == io.EOF {
			// Partial write of line; push back onto buffer and break until full line
			pm.buf.Write(line)
			break
		}
		if err != nil {
			return n, err
		}
		if err := json.Unmarshal(line, &msg); err != nil {
			return n, err
		}
		if msg.Error != nil {
			return n, errors.New(msg.Error.Message)
		}
		pm.mu.Lock()
		pm.lastStatusTime = time.Now()
		pm.mu.Unlock()
	}

	return
}
