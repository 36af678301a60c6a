package a

import "context"

type part struct {
	n   int
	err error
}

func upload(ctx context.Context, n int) (part, error) { return part{n: n}, ctx.Err() }

// Workers send every result with a plain send; the receiver stops at
// ctx.Done() (or the first error): the other workers block forever.
// minio-go's streaming upload before its fix, which sends in a select
// with case <-ctx.Done().
func uploadAll(ctx context.Context, parts chan int, total int) error {
	done := make(chan part) // want `goroutines send on this channel with plain sends, more than once each, but the receiver stops waiting when ctx.Done\(\) fires`
	for w := 0; w < 3; w++ {
		go func() {
			for n := range parts {
				p, err := upload(ctx, n)
				if err != nil {
					done <- part{err: err}
					return
				}
				done <- p
			}
		}()
	}
	for i := 0; i < total; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case p := <-done:
			if p.err != nil {
				return p.err
			}
		}
	}
	return nil
}

// The fixed workers give up with the receiver.
func uploadAllFixed(ctx context.Context, parts chan int, total int) error {
	done := make(chan part)
	for w := 0; w < 3; w++ {
		go func() {
			for n := range parts {
				p, err := upload(ctx, n)
				select {
				case <-ctx.Done():
					return
				case done <- part{n: p.n, err: err}:
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case p := <-done:
			if p.err != nil {
				return p.err
			}
		}
	}
	return nil
}

// The receiver stops on a stop channel the workers cannot see: no
// mechanical answer, nothing said.
func collect(stop chan struct{}, parts chan int, total int) int {
	done := make(chan part)
	for w := 0; w < 3; w++ {
		go func() {
			for n := range parts {
				done <- part{n: n}
			}
		}()
	}
	got := 0
	for i := 0; i < total; i++ {
		select {
		case <-stop:
			return got
		case <-done:
			got++
		}
	}
	return got
}
