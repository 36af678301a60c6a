// Recall case cc-werf-rsyncshutdown
// Source: github.com/werf/werf commit 5c75bea7aafb664c912e052105bc007a0f522a7e (pkg/build/import_server/rsync_server.go)
// Link: https://github.com/werf/werf/commit/5c75bea7aafb664c912e052105bc007a0f522a7e
// Bug: RsyncServer.Shutdown is registered as a conveyor terminate func and runs from a defer (Conveyor.Terminate(ctx)) after the build ctx was cancelled (SIGINT); it removes the container with that already-cancelled ctx, so 'docker rm' is killed immediately and the import-server container is orphaned.
// Fix: Shutdown detaches the ctx with context.WithoutCancel before running docker rm.
// Rule: cleanupctx
package build

import (
	"context"
	"fmt"
	"log"
)

func (srv *RsyncServer) Shutdown(ctx context.Context) error {
	if output, err := CliRm_RecordedOutput(ctx, "--force", srv.DockerContainerName); err != nil {
		log.Printf("%s", output)
		return fmt.Errorf("unable to remove container %s: %w", srv.DockerContainerName, err)
	}
	return nil
}
