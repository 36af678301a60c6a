package carrier

// A web framework's per-request value that holds the request next to its
// response writer (beego's and gin's Context, echo.Context) puts the
// request's context in scope (beego's session filter released the session
// into redis with context.Background()). A value that keeps a request with
// no writer (a template to resend) does not: it may outlive any exchange.

import (
	"context"
	"database/sql"
	"net/http"
)

type FrameworkContext struct {
	Request        *http.Request
	ResponseWriter http.ResponseWriter
}

type EchoContext interface {
	Request() *http.Request
	Response() *Response
}

type Response struct{ http.ResponseWriter }

type store struct{ db *sql.DB }

func (s *store) save(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sessions SET seen = now()")
	return err
}

func (s *store) filter(c *FrameworkContext) {
	_ = s.save(context.Background()) // want `context.Background\(\) drops c.Request.Context\(\)'s deadline and cancellation`
}

func (s *store) echoHandler(c EchoContext) error {
	return s.save(context.Background()) // want `context.Background\(\) drops c.Request\(\).Context\(\)'s deadline and cancellation`
}

func (s *store) filterThreaded(c *FrameworkContext) error {
	return s.save(c.Request.Context())
}

// template keeps a request to resend; it holds no response writer, so its
// request is not the caller's exchange.
type template struct {
	Request *http.Request
	Retries int
}

func (s *store) resend(t *template) error {
	return s.save(context.Background())
}
