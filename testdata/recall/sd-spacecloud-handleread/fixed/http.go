// Recall case sd-spacecloud-handleread
// Source: github.com/spacecloud-io/space-cloud commit 14850afe207ac169ffe0025b62f3ddf6e2087add (http.go)
// Link: https://github.com/spacecloud-io/space-cloud/commit/14850afe207ac169ffe0025b62f3ddf6e2087add
// Bug: server.handleRead (and the other CRUD handlers) create their execution context with context.WithTimeout(context.Background(), 5*time.Second), a fresh budget that ignores the incoming request's ctx, so the DB read keeps running after the client disconnects or the server cancels the request.
// Fix: the execution context is derived from the request: context.WithTimeout(r.Context(), 5*time.Second).
// Rule: sharedeadline
package spacecloud

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

type ReadRequest struct {
	Find      map[string]interface{} `json:"find"`
	Operation string                 `json:"op"`
}

// crudBlock is implemented by each database driver (here: SQL).
type crudBlock interface {
	Read(ctx context.Context, project, col string, req *ReadRequest) (interface{}, error)
}

// SQL is a database/sql backed crud block.
type SQL struct {
	client *sql.DB
}

// Read query document(s) from the database
func (s *SQL) Read(ctx context.Context, project, col string, req *ReadRequest) (interface{}, error) {
	query := "SELECT * FROM " + project + "." + col
	args := []interface{}{}
	if id, ok := req.Find["id"]; ok {
		query += " WHERE id = ?"
		args = append(args, id)
	}
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]interface{}
	for rows.Next() {
		vals := make([]interface{}, len(cols))
		ptrs := make([]interface{}, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]interface{}{}
		for i, c := range cols {
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// Module is the crud module dispatching to the configured database.
type Module struct {
	sync.RWMutex
	blocks map[string]crudBlock
}

func (m *Module) getCrudBlock(dbType string) (crudBlock, error) {
	if b, ok := m.blocks[dbType]; ok {
		return b, nil
	}
	return nil, errors.New("unsupported database")
}

func (m *Module) Read(ctx context.Context, dbType, project, col string, req *ReadRequest) (interface{}, error) {
	m.RLock()
	defer m.RUnlock()

	crud, err := m.getCrudBlock(dbType)
	if err != nil {
		return nil, err
	}

	return crud.Read(ctx, project, col, req)
}

type server struct {
	crud *Module
}

type requestMetaData struct {
	project, dbType, col, token string
}

func getRequestMetaData(r *http.Request) *requestMetaData {
	// Get the path parameters: /v1/api/{project}/crud/{dbType}/{col}/read
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var project, dbType, col string
	if len(parts) >= 6 {
		project, dbType, col = parts[2], parts[4], parts[5]
	}

	// Get the JWT token from header
	tokens, ok := r.Header["Authorization"]
	if !ok {
		tokens = []string{""}
	}

	token := strings.TrimPrefix(tokens[0], "Bearer ")

	return &requestMetaData{project: project, dbType: dbType, col: col, token: token}
}

func (s *server) handleRead() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {

		// Create a context of execution
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()

		// Get the path parameters
		meta := getRequestMetaData(r)

		if meta.token == "" {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "unauthenticated"})
			return
		}

		// Load the request from the body
		req := ReadRequest{}
		json.NewDecoder(r.Body).Decode(&req)
		defer r.Body.Close()

		// Perform the read operation
		result, err := s.crud.Read(ctx, meta.dbType, meta.project, meta.col, &req)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}

		// Give positive acknowledgement
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode(map[string]interface{}{"result": result})
	}
}
