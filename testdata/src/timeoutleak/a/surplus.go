package a

import (
	"errors"
	"time"
)

// Two goroutines answer on one unbuffered channel and the function takes
// one answer (okteto's GetDiffHash: a timer goroutine sent a timeout result
// after its sleep on the channel the worker answered on; when the worker
// won, the timer goroutine blocked forever on its send).

var errTimeout = errors.New("timeout")

func slowDiff() (string, error) { return "", nil }

func diffHash() (string, error) {
	timedOut := make(chan struct{})
	results := make(chan string) // want `2 goroutines send on this unbuffered channel but the function receives from it once`
	go func() {
		time.Sleep(5 * time.Second)
		close(timedOut)
		results <- "timeout"
	}()
	go func() {
		d, _ := slowDiff()
		select {
		case results <- d:
		case <-timedOut:
		}
	}()
	return <-results, nil
}

// Fixed: a slot per sender.
func diffHashFixed() (string, error) {
	timedOut := make(chan struct{})
	results := make(chan string, 2)
	go func() {
		time.Sleep(5 * time.Second)
		close(timedOut)
		results <- "timeout"
	}()
	go func() {
		d, _ := slowDiff()
		select {
		case results <- d:
		case <-timedOut:
		}
	}()
	return <-results, nil
}

// Both answers are taken: nobody is left behind.
func bothTaken() (string, string) {
	results := make(chan string)
	go func() { results <- "a" }()
	go func() { results <- "b" }()
	return <-results, <-results
}

// One sender, one receive.
func oneSender() string {
	results := make(chan string)
	go func() { results <- "a" }()
	return <-results
}
