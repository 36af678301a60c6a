// Recall case cc-boundary-sharedunlock
// Source: github.com/hashicorp/boundary commit 568594d1b34135f0ad84c9e7017b6cf2e27c99be (internal/cmd/commands/server/server.go)
// Link: https://github.com/hashicorp/boundary/commit/568594d1b34135f0ad84c9e7017b6cf2e27c99be
// Bug: Command.Run defers sMan.SharedUnlock(c.Context), but c.Context is cancelled when ShutdownCh closes, so on shutdown the pg_advisory_unlock_shared ExecContext runs with an already-cancelled context and the lock is never released.
// Fix: the deferred SharedUnlock uses a fresh context.WithTimeout(context.Background(), 1*time.Second) instead of the cancelled base context.
// Rule: cleanupctx
package boundary

import (
	"database/sql"
	"fmt"
	"os"
)

// ServerCommand is the reduced internal/cmd/commands/server.Command.
type ServerCommand struct {
	*Command
	DatabaseUrl string
	Database    *sql.DB
}

func (c *ServerCommand) ConnectToDatabase(dialect string) error {
	db, err := sql.Open(dialect, c.DatabaseUrl)
	if err != nil {
		return err
	}
	c.Database = db
	return nil
}

func (c *ServerCommand) Run(args []string) int {
	if err := c.ConnectToDatabase("postgres"); err != nil {
		fmt.Fprintln(os.Stderr, fmt.Errorf("Error connecting to database: %w", err).Error())
		return 1
	}

	sMan, err := NewManager(c.Context, "postgres", c.Database)
	if err != nil {
		fmt.Fprintln(os.Stderr, fmt.Errorf("Can't get schema manager: %w.", err).Error())
		return 1
	}
	// This is an advisory locks on the DB which is released when the db session ends.
	if err := sMan.SharedLock(c.Context); err != nil {
		fmt.Fprintln(os.Stderr, fmt.Errorf("Unable to gain shared access to the database: %w", err).Error())
		return 1
	}
	defer func() {
		if err := sMan.SharedUnlock(c.Context); err != nil {
			fmt.Fprintln(os.Stderr, fmt.Errorf("Unable to release shared lock to the database: %w", err).Error())
		}
	}()

	return c.WaitForInterrupt()
}

func (c *ServerCommand) WaitForInterrupt() int {
	// Wait for shutdown
	<-c.ShutdownCh
	fmt.Fprintln(os.Stdout, "==> Boundary server shutdown triggered")
	return 0
}
