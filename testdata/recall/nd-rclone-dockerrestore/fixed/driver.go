// Recall case nd-rclone-dockerrestore
// Source: github.com/rclone/rclone commit 64331a4eaef1f60a9173a7101d9ae2116709a8e8 (cmd/serve/docker/driver.go)
// Link: https://github.com/rclone/rclone/commit/64331a4eaef1f60a9173a7101d9ae2116709a8e8
// Bug: `rclone serve docker` builds ctx := context.Background() and NewDriver -> Driver.restoreState -> Volume.restoreState -> Volume.setup -> fs.NewFs runs each saved volume's remote setup with no deadline, so a slow or unreachable remote blocks plugin startup forever.
// Fix: Driver.restoreState wraps each vol.restoreState call in context.WithTimeout(ctx, volTimeout) (30s) and skips volumes that fail.
// Rule: nodeadline
package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const stateFile = "docker-plugin.state"

const (
	// volTimeout is the maximum time to wait for a single volume to
	// be restored (filesystem setup) during plugin startup.
	volTimeout = 30 * time.Second
)

// Driver implements docker driver api
type Driver struct {
	root      string
	volumes   map[string]*Volume
	statePath string
	dummy     bool // disables real mounting
	mu        sync.Mutex
}

// NewDriver makes a new docker driver
func NewDriver(ctx context.Context, root, cacheDir string, dummy, forgetState bool) (*Driver, error) {
	drv := &Driver{
		root:      root,
		statePath: filepath.Join(cacheDir, stateFile),
		volumes:   map[string]*Volume{},
		dummy:     dummy,
	}

	// restore from saved state
	if !forgetState {
		if err := drv.restoreState(ctx); err != nil {
			return nil, fmt.Errorf("failed to restore state: %w", err)
		}
	}
	return drv, nil
}

// restoreState recreates volumes from saved driver state.
func (drv *Driver) restoreState(ctx context.Context) error {
	log.Printf("Restore state from %s", drv.statePath)

	data, err := os.ReadFile(drv.statePath)
	if os.IsNotExist(err) {
		return nil
	}

	var state []*Volume
	if err == nil {
		err = json.Unmarshal(data, &state)
	}
	if err != nil {
		log.Printf("Failed to restore plugin state: %v", err)
		return nil
	}

	for _, vol := range state {
		// Use a timeout so that a slow or unreachable remote does
		// not block the plugin from starting up.
		volCtx, cancel := context.WithTimeout(ctx, volTimeout)
		err := vol.restoreState(volCtx, drv)
		cancel()
		if err != nil {
			log.Printf("Failed to restore volume %q: %v", vol.Name, err)
			continue
		}
		drv.volumes[vol.Name] = vol
	}
	return nil
}

// Volume keeps volume runtime state
type Volume struct {
	Name          string            `json:"name"`
	MountPoint    string            `json:"mountpoint"`
	Fs            string            `json:"fs"`             // remote[,connectString]:path
	Type          string            `json:"type,omitempty"` // same as ":backend:"
	Options       map[string]string `json:"options"`        // all options together
	Mounts        []string          `json:"mounts"`         // mountReqs as a string list
	pendingMounts []string          // mount IDs to restore after server starts
	fsString      string            // result of merging Fs, Type and Options
	drv           *Driver
	f             *remoteFs
}

// restoreState updates volume from saved state
func (vol *Volume) restoreState(ctx context.Context, drv *Driver) error {
	vol.drv = drv
	// Save pending mounts before applyOptions clears them
	vol.pendingMounts = vol.Mounts
	vol.fsString = vol.Fs // reduced applyOptions
	if err := vol.validate(); err != nil {
		return err
	}
	if err := vol.setup(ctx); err != nil {
		return err
	}
	return nil
}

// validate volume
func (vol *Volume) validate() error {
	if vol.Name == "" {
		return errors.New("volume name is required")
	}
	if (vol.Type != "" && vol.Fs != "") || (vol.Type == "" && vol.Fs == "") {
		return errors.New("volume must have either remote or backend type")
	}
	if vol.MountPoint == "" {
		return errors.New("mount point is required")
	}
	return nil
}

// setup volume filesystem
func (vol *Volume) setup(ctx context.Context) error {
	log.Printf("Setup volume %q as %q at path %s", vol.Name, vol.fsString, vol.MountPoint)
	if vol.drv.dummy {
		return nil
	}

	// Use existing remote
	f, err := newFs(ctx, vol.fsString)
	if err == nil {
		vol.f = f
	}
	return err
}

// runServeDocker is reduced from Command.Run in cmd/serve/docker/docker.go.
func runServeDocker(baseDir, cacheDir string, forgetState bool) (*Driver, error) {
	ctx := context.Background()
	drv, err := NewDriver(ctx, baseDir, cacheDir, false, forgetState)
	if err != nil {
		return nil, err
	}
	return drv, nil
}
