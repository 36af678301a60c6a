// Command retrymain waits for its database at startup: a retry loop in main
// has no caller to answer to and is not reported.
package main

import (
	"context"
	"time"
)

func ping(ctx context.Context) error { return ctx.Err() }

func main() {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := ping(ctx)
		cancel()
		if err == nil {
			break
		}
		time.Sleep(time.Second)
	}
}
