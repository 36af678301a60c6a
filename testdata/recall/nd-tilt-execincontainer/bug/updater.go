// Recall case nd-tilt-execincontainer
// Source: github.com/tilt-dev/tilt commit 1ec928ada3ecc5d4514161309329ac5d485359fa (internal/containerupdate/docker_container_updater.go)
// Link: https://github.com/tilt-dev/tilt/commit/1ec928ada3ecc5d4514161309329ac5d485359fa
// Bug: Cli.ExecInContainer passes the live-update ctx (no deadline) straight to ContainerExecCreate/ContainerExecStart, so a wedged Docker daemon hangs DockerUpdater.UpdateContainer forever.
// Fix: wrap the exec setup calls in context.WithTimeout(ctx, 5*time.Second).
// Rule: nodeadline
package dockerexec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
)

type DockerUpdater struct {
	dCli *Cli
}

func NewDockerUpdater(dCli *Cli) *DockerUpdater {
	return &DockerUpdater{dCli: dCli}
}

func (cu *DockerUpdater) UpdateContainer(ctx context.Context, containerID string,
	archiveToCopy io.Reader, filesToDelete []string, cmds []Cmd) error {
	err := cu.rmPathsFromContainer(ctx, containerID, filesToDelete)
	if err != nil {
		return fmt.Errorf("rmPathsFromContainer: %w", err)
	}

	tarCmd := Cmd{Argv: []string{"tar", "-C", "/", "-x", "-f", "-"}}
	err = cu.dCli.ExecInContainer(ctx, containerID, tarCmd, archiveToCopy, os.Stdout)
	if err != nil {
		return fmt.Errorf("copying changed files: %w", err)
	}

	for _, cmd := range cmds {
		err = cu.dCli.ExecInContainer(ctx, containerID, cmd, nil, os.Stdout)
		if err != nil {
			return fmt.Errorf("executing on container %s: %w", containerID, err)
		}
	}
	return nil
}

func (cu *DockerUpdater) rmPathsFromContainer(ctx context.Context, cID string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}

	out := bytes.NewBuffer(nil)
	err := cu.dCli.ExecInContainer(ctx, cID, Cmd{Argv: append([]string{"rm", "-rf"}, paths...)}, nil, out)
	if err != nil {
		return fmt.Errorf("Error deleting files from container: %w", err)
	}
	return nil
}
