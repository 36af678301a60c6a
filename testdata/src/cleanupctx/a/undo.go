package a

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

type cloud struct {
	hc   *http.Client
	base string
}

func (c *cloud) call(ctx context.Context, method, path string) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *cloud) createVM(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodPut, "/vms/"+name)
}

func (c *cloud) deleteDisk(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodDelete, "/disks/"+name)
}

// cloud-api-adaptor's CreateInstance: when createVM failed because ctx is
// done, the disk's removal gets the done ctx and the disk leaks.
func (c *cloud) createInstance(ctx context.Context, name string) error {
	if err := c.createVM(ctx, name); err != nil {
		if derr := c.deleteDisk(ctx, name+"-disk"); derr != nil { // want `\(\*a.cloud\).deleteDisk undoes a step whose failure may be ctx's cancellation, and is given that context`
			log.Printf("deleting disk: %v", derr)
		}
		return fmt.Errorf("creating instance: %s", err)
	}
	return nil
}

// stackrox's copyFrom: the rollback after a failed statement, its own
// failure returned too.
func copyRows(ctx context.Context, db *sql.DB, rows []string) error {
	t := &tx{db: db}
	for _, r := range rows {
		if _, err := db.ExecContext(ctx, "INSERT INTO objs VALUES ($1)", r); err != nil {
			if rerr := t.Rollback(ctx); rerr != nil { // want `\(\*a.tx\).Rollback undoes a step whose failure may be ctx's cancellation`
				return fmt.Errorf("rollback: %w", rerr)
			}
			return fmt.Errorf("insert: %w", err)
		}
	}
	return nil
}

// Fixed: the undo keeps ctx's values but not its cancellation.
func (c *cloud) createInstanceFixed(ctx context.Context, name string) error {
	if err := c.createVM(ctx, name); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if derr := c.deleteDisk(cctx, name+"-disk"); derr != nil {
			log.Printf("deleting disk: %v", derr)
		}
		return fmt.Errorf("creating instance: %w", err)
	}
	return nil
}

// A fallback, not an undo: the branch returns the second call's result.
func (c *cloud) fetchWithFallback(ctx context.Context, name string) error {
	if err := c.call(ctx, http.MethodGet, "/primary/"+name); err != nil {
		return c.call(ctx, http.MethodGet, "/secondary/"+name)
	}
	return nil
}

// A retry loop's failure branch goes round: no undo before a return.
func (c *cloud) createRetrying(ctx context.Context, name string) error {
	var err error
	for i := 0; i < 3; i++ {
		if err = c.createVM(ctx, name); err == nil {
			return nil
		}
		_ = c.deleteDisk(ctx, name+"-disk")
	}
	return err
}

// pgx: a cancelled rollback closes the connection, which rolls back too.
func pgxInsert(ctx context.Context, conn *pgx.Conn, tx pgx.Tx, row string) error {
	if _, err := conn.Exec(ctx, "INSERT INTO objs VALUES ($1)", row); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	return nil
}

// The step ran under its own budget: its failure says nothing of ctx.
func (c *cloud) createOwnBudget(ctx context.Context, name string) error {
	sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.createVM(sctx, name); err != nil {
		_ = c.deleteDisk(ctx, name+"-disk")
		return err
	}
	return nil
}

// containerd's unpack: the undo gets Background where ctx is known done and
// ctx after a failed step — a choice made with the alternative in hand.
func (c *cloud) unpack(ctx context.Context, name string, fetched <-chan error) error {
	abort := func(ctx context.Context) {
		if err := c.deleteDisk(ctx, name); err != nil {
			log.Printf("cleanup %s: %v", name, err)
		}
	}
	select {
	case <-ctx.Done():
		abort(context.Background())
		return ctx.Err()
	case err := <-fetched:
		if err != nil {
			abort(ctx)
			return err
		}
	}
	if err := c.createVM(ctx, name); err != nil {
		abort(ctx)
		return fmt.Errorf("commit %s: %w", name, err)
	}
	return nil
}
