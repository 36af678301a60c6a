// Package workqueue is a stand-in for k8s.io/client-go/util/workqueue's
// parallelizer: it runs doWorkPiece once per piece on worker goroutines
// and waits for them.
package workqueue

import (
	"context"
	"net/http"
	"sync"
)

func ParallelizeUntil(ctx context.Context, workers, pieces int, doWorkPiece func(piece int)) { // want ParallelizeUntil:"calls param 3 once per piece"
	next := make(chan int, pieces)
	for i := 0; i < pieces; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for p := range next {
				select {
				case <-ctx.Done():
					return
				default:
					doWorkPiece(p)
				}
			}
		}()
	}
	wg.Wait()
}

// Probe makes the package one that can wait on the network (as the real
// one does through its imports): only such packages export summaries.
func Probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
