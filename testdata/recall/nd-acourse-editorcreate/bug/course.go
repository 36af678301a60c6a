// Recall case nd-acourse-editorcreate
// Source: github.com/acoshift/acourse commit 19e530dcc972d0f535374e71db78f3e274557e1c (pkg/app/course.go)
// Link: https://github.com/acoshift/acourse/commit/19e530dcc972d0f535374e71db78f3e274557e1c
// Bug: postEditorCreate has the request ctx in scope but opens the transaction with db.Begin() and runs db.QueryRow without a context, so the DB work ignores client disconnects/deadlines.
// Fix: use db.BeginTx(ctx, nil) and db.QueryRowContext(ctx, ...) with the request context.
// Rule: nodeadline
package app

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

// db is the application database handle (pkg/app/config.go).
var db *sql.DB

type ctxKeyUser struct{}

// User is the signed in user stored in the request context.
type User struct {
	ID string
}

// GetUser mirrors appctx.GetUser.
func GetUser(ctx context.Context) *User {
	u, _ := ctx.Value(ctxKeyUser{}).(*User)
	return u
}

func back(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.RequestURI, http.StatusSeeOther)
}

func editorCreate(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		postEditorCreate(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func postEditorCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := GetUser(ctx)

	var (
		title     = r.FormValue("Title")
		shortDesc = r.FormValue("ShortDesc")
		desc      = r.FormValue("Desc")
		imageURL  string
		start     sql.NullTime
	)
	if len(title) == 0 {
		back(w, r)
		return
	}

	if v := r.FormValue("Start"); len(v) > 0 {
		t, _ := time.Parse("2006-01-02", v)
		if !t.IsZero() {
			start.Time = t
			start.Valid = true
		}
	}

	tx, err := db.Begin()
	if err != nil {
		back(w, r)
		return
	}
	defer tx.Rollback()

	var id string
	err = tx.QueryRow(`
		insert into courses
			(user_id, title, short_desc, long_desc, image, start)
		values
			($1, $2, $3, $4, $5, $6)
		returning id
	`, user.ID, title, shortDesc, desc, imageURL, start).Scan(&id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, err = tx.Exec(`
		insert into course_options
			(course_id)
		values
			($1)
	`, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	err = tx.Commit()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	var link sql.NullString
	db.QueryRow(`select url from courses where id = $1`, id).Scan(&link)
	if !link.Valid {
		http.Redirect(w, r, "/course/"+id, http.StatusFound)
		return
	}
	http.Redirect(w, r, "/course/"+link.String, http.StatusFound)
}
