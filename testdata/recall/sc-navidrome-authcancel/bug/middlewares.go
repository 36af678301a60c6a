// Recall case sc-navidrome-authcancel
// Source: github.com/navidrome/navidrome commit 47e3fdb1b8e0ad795485a615dde7865c45e65dfb (server/subsonic/middlewares.go)
// Link: https://github.com/navidrome/navidrome/commit/47e3fdb1b8e0ad795485a615dde7865c45e65dfb
// Bug: authenticate treats a context.Canceled from ds.User(ctx).FindByUsername[WithPassword] as a login failure: it is logged as an error, overwritten by validateCredentials and answered with ErrorAuthenticationFail.
// Fix: authenticate checks errors.Is(err, context.Canceled) right after each user lookup and returns without turning the cancellation into an authentication error.
// Rule: swallowcancel
package subsonic

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
)

// ErrNotFound / ErrInvalidAuth mirror navidrome's model errors.
var (
	ErrNotFound    = errors.New("data not found")
	ErrInvalidAuth = errors.New("invalid authentication")
)

// User is the (reduced) model.User.
type User struct {
	ID       string
	UserName string
	Password string
}

// DataStore is the (reduced) model.DataStore.
type DataStore interface {
	User(ctx context.Context) UserRepository
}

// UserRepository is the (reduced) model.UserRepository.
type UserRepository interface {
	FindByUsername(username string) (*User, error)
	FindByUsernameWithPassword(username string) (*User, error)
}

const errorAuthenticationFail = 40

type subsonicError struct {
	code int
	msg  string
}

func (e subsonicError) Error() string { return e.msg }

func newError(code int) error {
	return subsonicError{code: code, msg: "Wrong username or password"}
}

func sendError(w http.ResponseWriter, r *http.Request, err error) {
	code := 0
	var se subsonicError
	if errors.As(err, &se) {
		code = se.code
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, `<subsonic-response status="failed"><error code="%d" message="%s"/></subsonic-response>`, code, err.Error())
}

func usernameFromReverseProxyHeader(r *http.Request) string {
	return r.Header.Get("Remote-User")
}

type userKey struct{}

func authenticate(ds DataStore) func(next http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()

			var usr *User
			var err error

			if username := usernameFromReverseProxyHeader(r); username != "" {
				usr, err = ds.User(ctx).FindByUsername(username)
				if errors.Is(err, ErrNotFound) {
					log.Printf("WARN API: Invalid login auth=reverse-proxy username=%s remoteAddr=%s: %v", username, r.RemoteAddr, err)
				} else if err != nil {
					log.Printf("ERROR API: Error authenticating username auth=reverse-proxy username=%s remoteAddr=%s: %v", username, r.RemoteAddr, err)
				}
			} else {
				p := r.URL.Query()
				username := p.Get("u")
				pass := p.Get("p")
				token := p.Get("t")
				salt := p.Get("s")

				usr, err = ds.User(ctx).FindByUsernameWithPassword(username)
				if errors.Is(err, ErrNotFound) {
					log.Printf("WARN API: Invalid login auth=subsonic username=%s remoteAddr=%s: %v", username, r.RemoteAddr, err)
				} else if err != nil {
					log.Printf("ERROR API: Error authenticating username auth=subsonic username=%s remoteAddr=%s: %v", username, r.RemoteAddr, err)
				}

				err = validateCredentials(usr, pass, token, salt)
				if err != nil {
					log.Printf("WARN API: Invalid login auth=subsonic username=%s remoteAddr=%s: %v", username, r.RemoteAddr, err)
				}
			}

			if err != nil {
				sendError(w, r, newError(errorAuthenticationFail))
				return
			}

			ctx = context.WithValue(ctx, userKey{}, *usr)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func validateCredentials(user *User, pass, token, salt string) error {
	valid := false

	switch {
	case pass != "":
		if strings.HasPrefix(pass, "enc:") {
			if dec, err := hex.DecodeString(pass[4:]); err == nil {
				pass = string(dec)
			}
		}
		valid = pass == user.Password
	case token != "":
		t := fmt.Sprintf("%x", md5.Sum([]byte(user.Password+salt)))
		valid = t == token
	}

	if !valid {
		return ErrInvalidAuth
	}
	return nil
}

// --- stub persistence layer: navidrome's userRepository queries SQLite with the request ctx ---

type sqlDataStore struct {
	db *sql.DB
}

func (s *sqlDataStore) User(ctx context.Context) UserRepository {
	return &userRepository{ctx: ctx, db: s.db}
}

type userRepository struct {
	ctx context.Context
	db  *sql.DB
}

func (r *userRepository) FindByUsername(username string) (*User, error) {
	var usr User
	row := r.db.QueryRowContext(r.ctx, "SELECT id, user_name, password FROM user WHERE user_name = ? COLLATE NOCASE", username)
	err := row.Scan(&usr.ID, &usr.UserName, &usr.Password)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return &usr, err
}

func (r *userRepository) FindByUsernameWithPassword(username string) (*User, error) {
	return r.FindByUsername(username)
}

// NewAuthHandler wires authenticate in front of next.
func NewAuthHandler(db *sql.DB, next http.Handler) http.Handler {
	return authenticate(&sqlDataStore{db: db})(next)
}
