// Package forms: calls of an API's context-free forms.
package forms

import (
	"context"

	"ctxflow/facts/forms"
)

// A context-free form of an API whose wait nothing bounds, called where a
// context is in scope: nodeadline's finding (use its context form), as for
// a catalog sink, not a helper's dropped context.
func viaForm(ctx context.Context, c *forms.Client) error {
	resp, err := c.Get("https://example.com")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A form whose client has a constant Timeout: the wait is bounded, and the
// bare root the form starts is left alone (the receiver's bound is the one
// its author chose).
func viaTimedForm(ctx context.Context, c *forms.TimedClient) error {
	resp, err := c.Get("https://example.com")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
