package a

import (
	"context"
	"net/http"
)

// Hooks is shaped like twirp's ServerHooks: exported func fields, and a
// chain whose literal calls the same field of each hook it holds — a call
// the analysis resolves to that literal itself. Looking into it once is
// enough (it overflowed the stack before).
type Hooks struct {
	Sent func(ctx context.Context) context.Context
}

func ChainHooks(hooks ...*Hooks) *Hooks {
	return &Hooks{
		Sent: func(ctx context.Context) context.Context {
			for _, h := range hooks {
				if h != nil && h.Sent != nil {
					ctx = h.Sent(ctx)
				}
			}
			return ctx
		},
	}
}

func serveWithHooks(ctx context.Context, h *Hooks, c *http.Client, req *http.Request) error {
	ctx = h.Sent(ctx)
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
