// Recall case cc-werf-rsyncshutdown
// Source: github.com/werf/werf commit 5c75bea7aafb664c912e052105bc007a0f522a7e (pkg/build/import_server/rsync_server.go)
// Link: https://github.com/werf/werf/commit/5c75bea7aafb664c912e052105bc007a0f522a7e
// Bug: RsyncServer.Shutdown is registered as a conveyor terminate func and runs from a defer (Conveyor.Terminate(ctx)) after the build ctx was cancelled (SIGINT); it removes the container with that already-cancelled ctx, so 'docker rm' is killed immediately and the import-server container is orphaned.
// Fix: Shutdown detaches the ctx with context.WithoutCancel before running docker rm.
// Rule: cleanupctx
package build

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os/exec"
	"sync"
)

// docker CLI stand-in: werf's docker.CliRun_RecordedOutput / CliRm_RecordedOutput
// run the docker CLI bound to the given ctx.
func cliRecordedOutput(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	return string(out), err
}

func CliRun_RecordedOutput(ctx context.Context, args ...string) (string, error) {
	return cliRecordedOutput(ctx, append([]string{"run"}, args...)...)
}

func CliRm_RecordedOutput(ctx context.Context, args ...string) (string, error) {
	return cliRecordedOutput(ctx, append([]string{"rm"}, args...)...)
}

type RsyncServer struct {
	DockerContainerName string
}

func RunRsyncServer(ctx context.Context, dockerImageName, containerName string) (*RsyncServer, error) {
	srv := &RsyncServer{DockerContainerName: containerName}
	runArgs := []string{"--detach", "--rm", fmt.Sprintf("--name=%s", srv.DockerContainerName), dockerImageName, "--daemon", "--no-detach"}
	if output, err := CliRun_RecordedOutput(ctx, runArgs...); err != nil {
		log.Printf("%s", output)
		return nil, err
	}
	return srv, nil
}

type ConveyorCleanupFunc func(context.Context) error

type Conveyor struct {
	mu               sync.Mutex
	onTerminateFuncs []ConveyorCleanupFunc
	importServers    map[string]*RsyncServer
}

func NewConveyor() *Conveyor {
	return &Conveyor{importServers: map[string]*RsyncServer{}}
}

func (c *Conveyor) GetImportServer(ctx context.Context, imageName string) (*RsyncServer, error) {
	c.mu.Lock()
	if srv, ok := c.importServers[imageName]; ok {
		c.mu.Unlock()
		return srv, nil
	}
	c.mu.Unlock()

	srv, err := RunRsyncServer(ctx, imageName, "werf-import-server-"+imageName)
	if err != nil {
		return nil, fmt.Errorf("unable to run rsync import server: %w", err)
	}

	c.AppendOnTerminateFunc(srv.Shutdown)

	c.mu.Lock()
	c.importServers[imageName] = srv
	c.mu.Unlock()
	return srv, nil
}

func (c *Conveyor) AppendOnTerminateFunc(f ConveyorCleanupFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onTerminateFuncs = append(c.onTerminateFuncs, f)
}

func (c *Conveyor) Terminate(ctx context.Context) error {
	terminateErrors := make([]error, 0, len(c.onTerminateFuncs))

	for _, cleanupFunc := range c.onTerminateFuncs {
		terminateErrors = append(terminateErrors, cleanupFunc(ctx))
	}

	err := errors.Join(terminateErrors...)
	if err != nil {
		// NOTE: Errors printed here because conveyor termination should occur in defer,
		// NOTE: and errors in the defer will be silenced otherwise.
		log.Printf("%s", err)
		return err
	}

	return nil
}

// WithRetryBlock mirrors ConveyorWithRetryWrapper.WithRetryBlock: the conveyor
// is terminated in a defer with the (possibly already cancelled) build ctx.
func WithRetryBlock(ctx context.Context, f func(c *Conveyor) error) error {
	newConveyor := NewConveyor()

	defer newConveyor.Terminate(ctx)

	return f(newConveyor)
}
