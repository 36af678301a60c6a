package a

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"
)

// Reported: the budget's clock runs while the cleanup waits for its
// trigger (consul-terraform-sync's API server).
func serveStaleInGoroutine(ctx context.Context, srv *http.Server) {
	go srv.ListenAndServe()
	ctxShutDown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		<-ctx.Done()
		if err := srv.Shutdown(ctxShutDown); err != nil { // want `\(\*http.Server\).Shutdown is given a timeout that started before the wait for the moment to clean up: when that wait lasts longer than the timeout, the context is already expired and the cleanup fails at once; call context.WithTimeout just before the cleanup`
			log.Print(err)
		}
	}()
}

// Reported: the same in one function, waiting for a signal.
func serveStaleSignal(srv *http.Server, sig chan os.Signal) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go srv.ListenAndServe()
	<-sig
	return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown is given a timeout that started before the wait`
}

// Reported: a select on two triggers is a trigger.
func serveStaleSelect(srv *http.Server, sig chan os.Signal, errc chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-sig:
	case <-errc:
	}
	return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown is given a timeout that started before the wait`
}

// Not reported: the timeout starts once the trigger came (the fix).
func serveFreshBudget(ctx context.Context, srv *http.Server) {
	go func() {
		<-ctx.Done()
		ctxShutDown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctxShutDown)
	}()
}

// Not reported: the trigger waits on the budget itself: one deadline for
// the whole job, spent as it goes.
func serveOneBudget(srv *http.Server, sig chan os.Signal) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	select {
	case <-sig:
	case <-ctx.Done():
	}
	return srv.Shutdown(ctx)
}

// Not reported: the budget bounds work before the trigger too.
func fetchThenShutdown(srv *http.Server, client *http.Client, done chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://example.com", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	<-done
	return srv.Shutdown(ctx)
}

// Not reported: a pause of known length is no trigger.
func shutdownAfterGrace(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	<-time.After(time.Second)
	return srv.Shutdown(ctx)
}

// Not reported: a select with a clock case gives up after a known time.
func shutdownOnSignalOrGrace(srv *http.Server, sig chan os.Signal) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-sig:
	case <-time.After(time.Second):
	}
	return srv.Shutdown(ctx)
}
