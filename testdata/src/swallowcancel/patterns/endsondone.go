package patterns

import (
	"bufio"
	"context"
	"net/http"
)

type object struct {
	key string
	err error
}

// list streams the keys of a listing; once ctx is done it stops and closes
// the channel without a word (minio-go's ListObjects).
func list(ctx context.Context, url string) <-chan object {
	ch := make(chan object, 1)
	go func() {
		defer close(ch)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			var resp *http.Response
			resp, err = http.DefaultClient.Do(req)
			if err == nil {
				defer resp.Body.Close()
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					select {
					case ch <- object{key: sc.Text()}:
					case <-ctx.Done():
						return
					}
				}
				return
			}
		}
		ch <- object{err: err}
	}()
	return ch
}

// A cancelled listing passes for a complete one (thanos' objstore Iter).
func iter(ctx context.Context, url string, f func(string) error) error {
	for o := range list(ctx, url) { // want `the channel patterns.list returns is closed without a word once ctx is done, so the range over it ends as if the stream were complete and this function returns a nil error: return ctx.Err\(\) after the loop`
		if o.err != nil {
			return o.err
		}
		if err := f(o.key); err != nil {
			return err
		}
	}
	return nil
}

// The fix.
func iterFixed(ctx context.Context, url string, f func(string) error) error {
	for o := range list(ctx, url) {
		if o.err != nil {
			return o.err
		}
		if err := f(o.key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// loudList says it: the cancellation is the last element.
func loudList(ctx context.Context, keys []string) <-chan object {
	ch := make(chan object)
	go func() {
		defer close(ch)
		for _, k := range keys {
			select {
			case ch <- object{key: k}:
			case <-ctx.Done():
				ch <- object{err: ctx.Err()}
				return
			}
		}
	}()
	return ch
}

func iterLoud(ctx context.Context, keys []string) error {
	for o := range loudList(ctx, keys) {
		if o.err != nil {
			return o.err
		}
	}
	return nil
}

// listAll hands on list's channel, and its silence (minio-go's ListObjects
// returning listObjectsV2's channel, before that library's fix).
func listAll(ctx context.Context, url string) <-chan object {
	return list(ctx, url+"?all")
}

func iterAll(ctx context.Context, url string) (int, error) {
	n := 0
	for o := range listAll(ctx, url) { // want `the channel patterns.listAll returns is closed without a word once ctx is done`
		if o.err != nil {
			return n, o.err
		}
		n++
	}
	return n, nil
}
