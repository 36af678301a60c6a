// Recall case sc-crio-createcontainer
// Source: github.com/cri-o/cri-o commit d04755a08a7e9d860eaa5e4105bd8c0f62767a8b (server/container_create.go)
// Link: https://github.com/cri-o/cri-o/commit/d04755a08a7e9d860eaa5e4105bd8c0f62767a8b
// Bug: Server.CreateContainer only logs (in a defer) when ctx ended with context.Canceled/DeadlineExceeded and still returns the response with a nil error, so the timed-out request counts as success and the err-guarded cleanups never run
// Fix: before returning, CreateContainer checks ctx.Err() and returns nil, ctx.Err() so the deferred cleanups release the name, storage and index entries
// Rule: swallowcancel
package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// CreateContainerRequest is reduced from the CRI protobuf request.
type CreateContainerRequest struct {
	PodSandboxId string
	Name         string
	Image        string
}

// CreateContainerResponse is reduced from the CRI protobuf response.
type CreateContainerResponse struct {
	ContainerId string
}

// Container is reduced from internal/oci.Container.
type Container struct {
	id         string
	name       string
	bundlePath string
	created    bool
}

func (c *Container) ID() string         { return c.id }
func (c *Container) Name() string       { return c.name }
func (c *Container) BundlePath() string { return c.bundlePath }
func (c *Container) SetCreated()        { c.created = true }

// Sandbox is reduced from internal/lib/sandbox.Sandbox.
type Sandbox struct {
	id           string
	cgroupParent string
	stopMutex    sync.RWMutex
	stopped      bool
}

func (sb *Sandbox) StopMutex() *sync.RWMutex { return &sb.stopMutex }
func (sb *Sandbox) Stopped() bool            { return sb.stopped }
func (sb *Sandbox) CgroupParent() string     { return sb.cgroupParent }

// Server is reduced to the state CreateContainer touches.
type Server struct {
	updateLock sync.RWMutex

	mu         sync.Mutex
	sandboxes  map[string]*Sandbox
	containers map[string]*Container
	ctrNames   map[string]string
	ctrIDIndex map[string]bool

	storageRoot string
	conmonPath  string
	runtimePath string
}

func (s *Server) getSandbox(id string) *Sandbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sandboxes[id]
}

// ReserveContainerName reserves name for id or fails if it is taken.
func (s *Server) ReserveContainerName(id, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner, ok := s.ctrNames[name]; ok {
		return "", fmt.Errorf("the container name %q is already in use by %q", name, owner)
	}
	s.ctrNames[name] = id
	return name, nil
}

// ReleaseContainerName releases a reserved name.
func (s *Server) ReleaseContainerName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ctrNames, name)
}

func (s *Server) addContainer(c *Container) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.containers[c.ID()] = c
}

func (s *Server) removeContainer(c *Container) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.containers, c.ID())
}

// createSandboxContainer lays out the container's storage and bundle.
func (s *Server) createSandboxContainer(ctx context.Context, containerID, containerName string, sb *Sandbox, image string) (*Container, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bundlePath := filepath.Join(s.storageRoot, containerID, "userdata")
	if err := os.MkdirAll(bundlePath, 0o700); err != nil {
		return nil, fmt.Errorf("creating container storage for %s: %w", image, err)
	}
	return &Container{id: containerID, name: containerName, bundlePath: bundlePath}, nil
}

// deleteContainerStorage removes the storage created by createSandboxContainer.
func (s *Server) deleteContainerStorage(id string) error {
	return os.RemoveAll(filepath.Join(s.storageRoot, id))
}

// createContainerPlatform hands the container to the OCI runtime (conmon).
func (s *Server) createContainerPlatform(container *Container, cgroupParent string) error {
	cmd := exec.Command(s.conmonPath, "-c", container.ID(), "-n", container.Name(), "-r", s.runtimePath, "-b", container.BundlePath(), "--cgroup-parent", cgroupParent)
	cmd.Dir = container.BundlePath()
	return cmd.Run()
}

func (s *Server) CreateContainer(ctx context.Context, req *CreateContainerRequest) (res *CreateContainerResponse, err error) {
	log.Printf("Attempting to create container: %s", req.Name)

	s.updateLock.RLock()
	defer s.updateLock.RUnlock()

	sbID := req.PodSandboxId
	if sbID == "" {
		return nil, fmt.Errorf("PodSandboxId should not be empty")
	}

	sb := s.getSandbox(sbID)
	if sb == nil {
		return nil, fmt.Errorf("specified sandbox not found: %s", sbID)
	}
	stopMutex := sb.StopMutex()
	stopMutex.RLock()
	defer stopMutex.RUnlock()
	if sb.Stopped() {
		return nil, fmt.Errorf("CreateContainer failed as the sandbox was stopped: %v", sbID)
	}

	ctrID := sbID + "-" + req.Name
	if req.Name == "" {
		return nil, errors.New("setting container name and ID: empty name")
	}

	if _, err = s.ReserveContainerName(ctrID, req.Name); err != nil {
		return nil, fmt.Errorf("reserving container name: %w", err)
	}

	defer func() {
		if err != nil {
			log.Printf("createCtr: releasing container name %s", req.Name)
			s.ReleaseContainerName(req.Name)
		}
	}()

	newContainer, err := s.createSandboxContainer(ctx, ctrID, req.Name, sb, req.Image)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			log.Printf("createCtr: deleting container %s from storage", ctrID)
			err2 := s.deleteContainerStorage(ctrID)
			if err2 != nil {
				log.Printf("Failed to cleanup container directory: %v", err2)
			}
		}
	}()

	s.addContainer(newContainer)
	defer func() {
		if err != nil {
			log.Printf("createCtr: removing container %s", newContainer.ID())
			s.removeContainer(newContainer)
		}
	}()

	s.mu.Lock()
	s.ctrIDIndex[ctrID] = true
	s.mu.Unlock()
	defer func() {
		if err != nil {
			log.Printf("createCtr: deleting container ID %s from idIndex", ctrID)
			s.mu.Lock()
			delete(s.ctrIDIndex, ctrID)
			s.mu.Unlock()
		}
	}()

	if err := s.createContainerPlatform(newContainer, sb.CgroupParent()); err != nil {
		return nil, err
	}

	newContainer.SetCreated()

	if ctx.Err() == context.Canceled || ctx.Err() == context.DeadlineExceeded {
		log.Printf("createCtr: context was either canceled or the deadline was exceeded: %v", ctx.Err())
		return nil, ctx.Err()
	}

	log.Printf("Created container %s", newContainer.ID())
	resp := &CreateContainerResponse{
		ContainerId: ctrID,
	}

	return resp, nil
}
