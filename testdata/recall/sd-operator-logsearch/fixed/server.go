// Recall case sd-operator-logsearch
// Source: github.com/minio/operator commit 5367c3dd44c0dcddd2e413039d0597afb79f8f55 (logsearchapi/server/server.go)
// Link: https://github.com/minio/operator/commit/5367c3dd44c0dcddd2e413039d0597afb79f8f55
// Bug: the ingest and query HTTP handlers call the DB helpers with context.Background(), so the helpers' 2s query budget is a fresh one that ignores the request's context; a client that disconnects or times out does not cancel the DB work.
// Fix: the handlers pass r.Context() to InsertEvent and Search so the query budget derives from the request context.
// Rule: sharedeadline
package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"
)

// DBClient is a client object that makes requests to the DB.
type DBClient struct {
	*sql.DB
}

// NewDBClient creates a new DBClient.
func NewDBClient(ctx context.Context, connStr string) (*DBClient, error) {
	db, err := sql.Open("postgres", connStr)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	return &DBClient{db}, nil
}

type event struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestID"`
}

// InsertEvent inserts an audit event in the DB.
func (c *DBClient) InsertEvent(ctx context.Context, eventBytes []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()

	var ev event
	if err := json.Unmarshal(eventBytes, &ev); err != nil {
		return err
	}

	// Start a database transaction
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()

	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log_events (event_time, log) VALUES ($1, $2);`, ev.Time, string(eventBytes))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO request_info (time, request_id) VALUES ($1, $2);`, ev.Time, ev.RequestID)
	if err != nil {
		return err
	}
	return tx.Commit()
}

// SearchQuery represents a search request.
type SearchQuery struct {
	PageNumber, PageSize int
}

// Search executes a search query on the db.
func (c *DBClient) Search(ctx context.Context, s *SearchQuery, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()

	rows, err := c.QueryContext(ctx, `SELECT event_time, log FROM audit_log_events ORDER BY event_time DESC OFFSET $1 LIMIT $2;`,
		s.PageNumber*s.PageSize, s.PageSize)
	if err != nil {
		return fmt.Errorf("Error accessing db: %v", err)
	}
	defer rows.Close()
	jw := json.NewEncoder(w)
	for rows.Next() {
		var t time.Time
		var l string
		if err := rows.Scan(&t, &l); err != nil {
			return err
		}
		if err := jw.Encode(map[string]any{"event_time": t, "log": l}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LogSearch represents the Log Search API server
type LogSearch struct {
	AuditAuthToken, QueryAuthToken string

	// Runtime
	DBClient *DBClient
	*http.ServeMux
}

func authorize(h http.HandlerFunc, token string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// NewLogSearch creates a LogSearch
func NewLogSearch(pgConnStr, auditAuthToken, queryAuthToken string) (ls *LogSearch, err error) {
	ls = &LogSearch{AuditAuthToken: auditAuthToken, QueryAuthToken: queryAuthToken}
	ls.DBClient, err = NewDBClient(context.Background(), pgConnStr)
	if err != nil {
		return nil, fmt.Errorf("Error connecting to db: %v", err)
	}
	ls.ServeMux = http.NewServeMux()
	ls.HandleFunc("/api/ingest", authorize(ls.ingestHandler, ls.AuditAuthToken))
	ls.HandleFunc("/api/query", authorize(ls.queryHandler, ls.QueryAuthToken))
	return ls, nil
}

func (ls *LogSearch) writeErrorResponse(w http.ResponseWriter, status int, msg string, err error) {
	http.Error(w, fmt.Sprintf("%s: %v", msg, err), status)
	log.Printf("%s: %v (%d)", msg, err, status)
}

func searchQueryFromRequest(r *http.Request) (*SearchQuery, error) {
	values := r.URL.Query()
	pageNo, err := strconv.Atoi(values.Get("pageNo"))
	if err != nil {
		return nil, err
	}
	pageSize, err := strconv.Atoi(values.Get("pageSize"))
	if err != nil {
		return nil, err
	}
	return &SearchQuery{PageNumber: pageNo, PageSize: pageSize}, nil
}

// ingestHandler handles POST /api/ingest?token=xxx
func (ls *LogSearch) ingestHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" {
		ls.writeErrorResponse(w, 400, "Non post request", nil)
		return
	}

	buf, err := io.ReadAll(r.Body)
	if err != nil {
		ls.writeErrorResponse(w, 500, "Error reading request body", err)
		return
	}

	err = ls.DBClient.InsertEvent(r.Context(), buf)
	if err != nil {
		ls.writeErrorResponse(w, 500, "Error writing to DB", err)
	}
}

// queryHandler handles GET /api/query?token=xxx&pageNo=0&pageSize=50
func (ls *LogSearch) queryHandler(w http.ResponseWriter, r *http.Request) {
	sq, err := searchQueryFromRequest(r)
	if err != nil {
		ls.writeErrorResponse(w, 400, "Bad params:", err)
		return
	}

	w.Header().Add("Content-Type", "application/json")
	err = ls.DBClient.Search(r.Context(), sq, w)
	if err != nil {
		w.Header().Del("Content-Type")
		ls.writeErrorResponse(w, 500, "Unhandled error:", err)
	}
}
