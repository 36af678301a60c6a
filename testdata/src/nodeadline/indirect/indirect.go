// Package indirect never imports net/http, yet calls its methods.
package indirect

import "nodeadline/clientlib"

func fetch(url string) error {
	_, err := clientlib.Default().Get(url) // the client is a call result: it may have a timeout
	return err
}

func fetchDefault(url string) error {
	c := clientlib.Default()
	resp, err := c.Head(url)
	_ = resp
	return err
}

func fetchDropsCtx(ctx interface{ Done() <-chan struct{} }, url string) error {
	_, err := clientlib.Default().Get(url) // ctx is not a context.Context: nothing to thread
	return err
}
