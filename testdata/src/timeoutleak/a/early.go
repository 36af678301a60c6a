package a

import "context"

type node struct{ tcp bool }

func pingTCP(n node) (bool, error) { return true, nil }

// The function returns on an ack before it ever looks at the fallback's
// channel (memberlist's probeNode before its fix: a buffer of one).
func probe(n node, acks chan bool) bool {
	fallback := make(chan bool) // want `goroutine sends on this unbuffered channel, but the function can return without receiving from it`
	if n.tcp {
		go func() {
			defer close(fallback)
			ok, err := pingTCP(n)
			if err == nil {
				fallback <- ok
			}
		}()
	} else {
		close(fallback)
	}
	if <-acks {
		return true
	}
	for ok := range fallback {
		if ok {
			return true
		}
	}
	return false
}

// Every path receives the result before it returns.
func probeWaits(n node, acks chan bool) bool {
	fallback := make(chan bool)
	go func() {
		ok, _ := pingTCP(n)
		fallback <- ok
	}()
	acked := <-acks
	tcp := <-fallback
	return acked || tcp
}

// The goroutine sends either its error or its result: a path that
// returns after the error has nothing left to receive.
func fetchBoth(n node) (bool, error) {
	result := make(chan bool)
	errs := make(chan error)
	go func() {
		ok, err := pingTCP(n)
		if err != nil {
			errs <- err
			return
		}
		result <- ok
	}()
	select {
	case err := <-errs:
		return false, err
	case ok := <-result:
		return ok, nil
	}
}

// One goroutine a round, each result received once, counted (gocql's
// SetHosts): the count, not a path, says every send is received.
func createAll(nodes []node) []bool {
	results := make(chan bool)
	started := 0
	for _, n := range nodes {
		started++
		go func(n node) {
			ok, _ := pingTCP(n)
			results <- ok
		}(n)
	}
	var out []bool
	for started > 0 {
		out = append(out, <-results)
		started--
	}
	return out
}

// One path sends with a select that can give up, the other with a plain
// send that cannot (puddle's constructor goroutine): once the caller stops
// waiting, a failed construction blocks forever.
func construct(ctx context.Context, n node) (bool, error) {
	errs := make(chan error) // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires`
	go func() {
		ok, err := pingTCP(n)
		if err != nil {
			errs <- err
			return
		}
		select {
		case errs <- nil:
		case <-ctx.Done():
		}
		_ = ok
	}()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case err := <-errs:
		return err == nil, err
	}
}
