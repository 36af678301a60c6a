package strict

import (
	"database/sql"
	"net/http"
)

type server struct{ db *sql.DB }

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	s.db.QueryContext(r.Context(), "SELECT 1") // want `^\(\*http.Request\).Context\(\) reaches \(\*sql.DB\).QueryContext: the request's context has no deadline of its own \(http.Server's timeouts do not cancel it\), so the query can outlive a stalled peer; derive one with context.WithTimeout\(r.Context\(\), d\)$`
}

// In strict mode any request parameter counts, not only a handler's.
func helper(r *http.Request, db *sql.DB) {
	ctx := r.Context()
	db.QueryContext(ctx, "SELECT 1") // want `\(\*http.Request\).Context\(\) reaches .*derive one with context.WithTimeout\(r.Context\(\), d\)$`
}
