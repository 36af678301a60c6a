package patterns

import (
	"context"
	"database/sql"
	"log"
)

// A loop over items that stops on `if ctx.Err() != nil { break }` and then
// reports success: the items left are abandoned and the caller is told
// the work finished (weaviate's tenant reconcile, oxia's leader read).
func syncAll(ctx context.Context, db *sql.DB, ids []int) error {
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		if _, err := db.ExecContext(ctx, "UPDATE t SET synced = 1 WHERE id = ?", id); err != nil {
			return err
		}
	}
	return nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
}

// Not reported: the break leads to a return of the context's error.
func syncAllFixed(ctx context.Context, db *sql.DB, ids []int) error {
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		if _, err := db.ExecContext(ctx, "UPDATE t SET synced = 1 WHERE id = ?", id); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Not reported: something runs between the break and the return (the
// break is not straight into it), and a context the function made is its
// own.
func syncSome(ctx context.Context, db *sql.DB, ids []int) error {
	done := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			log.Printf("stopping after %d", done)
			break
		}
		if _, err := db.ExecContext(ctx, "UPDATE t SET synced = 1 WHERE id = ?", id); err != nil {
			return err
		}
		done++
	}
	return nil
}

func syncOwned(db *sql.DB, ids []int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		if _, err := db.ExecContext(ctx, "UPDATE t SET synced = 1 WHERE id = ?", id); err != nil {
			return err
		}
	}
	return nil
}
