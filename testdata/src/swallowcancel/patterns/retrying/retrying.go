// Package retrying is a retry helper of another package: its facts say
// which parameters it retries. It sends requests itself, so it can reach a
// wait (the Relevant fact): a helper package that cannot is skipped as a
// dependency and exports no facts, and is not known as a retry helper.
package retrying

import (
	"net/http"
	"time"
)

// Do calls op until it succeeds, at most attempts times, sleeping between
// attempts: it cannot learn that the caller's context is done.
func Do(op func() error, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		time.Sleep(time.Duration(i) * 100 * time.Millisecond)
	}
	return err
}

// Get sends a request through Do.
func Get(c *http.Client, req *http.Request) (*http.Response, error) {
	var resp *http.Response
	err := Do(func() error {
		var err error
		resp, err = c.Do(req)
		return err
	}, 3)
	return resp, err
}
