package awaited

// Goroutines whose end the caller waits for without a result channel: the
// goroutine cancels a context whose Done the caller receives from
// (podman's images/pull handler: `defer cancel()` in the goroutine, `case
// <-runCtx.Done()` in the handler), closes a channel the caller receives
// from, or calls Done on a WaitGroup the caller waits on. Their work is
// the call's: a root made there drops the caller's context. A goroutine
// nobody waits for is detached work and left alone.

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
)

type images struct{ db *sql.DB }

func (i *images) pull(ctx context.Context, ref string) error {
	_, err := i.db.ExecContext(ctx, "INSERT INTO pulls VALUES ($1)", ref)
	return err
}

func (i *images) pullHandler(w http.ResponseWriter, r *http.Request) {
	runCtx, cancel := context.WithCancel(context.Background())
	var pullErr error
	go func() {
		defer cancel()
		pullErr = i.pull(runCtx, r.URL.Query().Get("ref")) // want `context.Background\(\) drops r.Context\(\)'s deadline and cancellation: \(\*awaited.images\).pull reaches \(\*sql.DB\).ExecContext with no other deadline`
	}()
	select {
	case <-runCtx.Done():
		if pullErr != nil {
			http.Error(w, pullErr.Error(), http.StatusInternalServerError)
		}
	case <-r.Context().Done():
	}
}

func (i *images) pullClosing(ctx context.Context, ref string) error {
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = i.pull(context.Background(), ref) // want `context.Background\(\) drops ctx's deadline and cancellation`
	}()
	<-done
	return err
}

func (i *images) pullAll(ctx context.Context, refs []string) {
	var wg sync.WaitGroup
	for _, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = i.pull(context.Background(), ref) // want `context.Background\(\) drops ctx's deadline and cancellation`
		}()
	}
	wg.Wait()
}

// Nobody waits: the pull outlives the request on purpose.
func (i *images) pullDetached(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	go func() {
		_ = i.pull(context.Background(), ref)
	}()
	w.WriteHeader(http.StatusAccepted)
}
