package a

import (
	"context"
	"net/http"
)

func status(u string) string {
	resp, err := http.Get(u)
	if err != nil {
		return ""
	}
	resp.Body.Close()
	return resp.Status
}

// One goroutine per URL: a buffer of one would save only one of them.
func fanout(ctx context.Context, urls []string) ([]string, error) {
	ch := make(chan string) // want `goroutines started in a loop send on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires: every goroutine not received from then blocks forever \(a leak per timeout\); make it buffered: make\(chan string, len\(urls\)\)`
	for _, u := range urls {
		go func(u string) { ch <- status(u) }(u)
	}
	var out []string
	for range urls {
		select {
		case s := <-ch:
			out = append(out, s)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// The count is not something the make can name: no fix.
func fanoutFields(ctx context.Context, req struct{ urls []string }) ([]string, error) {
	ch := make(chan string) // want `goroutines started in a loop send on this unbuffered channel, .* give it a buffer that holds one value per goroutine started`
	for _, u := range req.urls {
		go func(u string) { ch <- status(u) }(u)
	}
	var out []string
	for range req.urls {
		select {
		case s := <-ch:
			out = append(out, s)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// The goroutine is started by a closure the function calls.
func viaClosure(ctx context.Context, u string) (string, error) {
	ch := make(chan string) // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires`
	start := func() {
		go func() { ch <- status(u) }()
	}
	start()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// A closure handed on, not called here: who starts it, and when, is not
// this function's to know.
func handedOn(ctx context.Context, u string, run func(func())) (string, error) {
	ch := make(chan string)
	run(func() {
		go func() { ch <- status(u) }()
	})
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
