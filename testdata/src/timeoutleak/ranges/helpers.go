package ranges

import (
	"sync"
	"time"
)

// The goroutines and the range reach the channel through helpers of the
// package: each hook goroutine hands it to runHook, which answers with a
// plain send, and collect ranges over it and stops at the first reject
// (prebid-server's executeGroup/collectHookResponses, generic as there;
// the fix gave the channel a slot per hook).

type hookResponse[P any] struct {
	reject  bool
	payload P
}

func runHook[P any](hook func(P) (bool, P), payload P, timeout time.Duration, resp chan<- hookResponse[P], rejected <-chan struct{}) {
	out := make(chan hookResponse[P], 1)
	go func() {
		reject, p := hook(payload)
		out <- hookResponse[P]{reject: reject, payload: p}
	}()
	select {
	case r := <-out:
		resp <- r
	case <-time.After(timeout):
		resp <- hookResponse[P]{payload: payload}
	case <-rejected:
	}
}

func collect[P any](resp <-chan hookResponse[P], rejected chan<- struct{}) []hookResponse[P] {
	var out []hookResponse[P]
	for r := range resp { // want `leaving the range over this channel early stops receiving from it, but each goroutine executeHooks starts keeps sending on it with a plain send`
		out = append(out, r)
		if r.reject {
			close(rejected)
			break
		}
	}
	return out
}

func executeHooks[P any](hooks []func(P) (bool, P), payload P, timeout time.Duration) []hookResponse[P] {
	var wg sync.WaitGroup
	rejected := make(chan struct{})
	resp := make(chan hookResponse[P])
	for _, h := range hooks {
		wg.Add(1)
		go func(h func(P) (bool, P)) {
			defer wg.Done()
			runHook(h, payload, timeout, resp, rejected)
		}(h)
	}
	go func() {
		wg.Wait()
		close(resp)
	}()
	return collect(resp, rejected)
}

// Fixed: a slot per hook.
func executeHooksBuffered[P any](hooks []func(P) (bool, P), payload P, timeout time.Duration) []hookResponse[P] {
	var wg sync.WaitGroup
	rejected := make(chan struct{})
	resp := make(chan hookResponse[P], len(hooks))
	for _, h := range hooks {
		wg.Add(1)
		go func(h func(P) (bool, P)) {
			defer wg.Done()
			runHook(h, payload, timeout, resp, rejected)
		}(h)
	}
	go func() {
		wg.Wait()
		close(resp)
	}()
	return collectBuffered(resp, rejected)
}

func collectBuffered[P any](resp <-chan hookResponse[P], rejected chan<- struct{}) []hookResponse[P] {
	var out []hookResponse[P]
	for r := range resp {
		out = append(out, r)
		if r.reject {
			close(rejected)
			break
		}
	}
	return out
}

// The helper's sends give up once the collector is gone: no leak.
func answerOrQuit(v int, resp chan<- int, quit <-chan struct{}) {
	select {
	case resp <- v:
	case <-quit:
	}
}

func firstNegative(vals []int) int {
	quit := make(chan struct{})
	defer close(quit)
	resp := make(chan int)
	var wg sync.WaitGroup
	for _, v := range vals {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			answerOrQuit(v, resp, quit)
		}(v)
	}
	go func() {
		wg.Wait()
		close(resp)
	}()
	return firstBelow(resp, 0)
}

func firstBelow(resp <-chan int, limit int) int {
	for v := range resp {
		if v < limit {
			return v
		}
	}
	return limit
}

// The range helper reads to the end: every send is received.
func sumAll(vals []int) int {
	resp := make(chan int)
	var wg sync.WaitGroup
	for _, v := range vals {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			answer(v, resp)
		}(v)
	}
	go func() {
		wg.Wait()
		close(resp)
	}()
	return total(resp)
}

func answer(v int, resp chan<- int) { resp <- v }

func total(resp <-chan int) int {
	n := 0
	for v := range resp {
		n += v
	}
	return n
}

// A range helper also handed a channel the package does not feed (its
// caller's): its callers are not all feeders, so nothing is said.
func firstOf(resp <-chan int) int {
	for v := range resp {
		if v > 0 {
			return v
		}
	}
	return 0
}

func firstPositive(vals []int) int {
	resp := make(chan int)
	for _, v := range vals {
		go answer(v, resp)
	}
	return firstOf(resp)
}

func FirstPositiveOf(in <-chan int) int { return firstOf(in) }
