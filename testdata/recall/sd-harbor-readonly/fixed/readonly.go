// Recall case sd-harbor-readonly
// Source: github.com/goharbor/harbor commit 06f2414d1ce15edd7bce2abda75c311de2edb00f (src/server/middleware/readonly/readonly.go)
// Link: https://github.com/goharbor/harbor/commit/06f2414d1ce15edd7bce2abda75c311de2edb00f   (PR https://github.com/goharbor/harbor/pull/15523)
// Bug: the readonly middleware's DefaultConfig.ReadOnly(r) calls config.ReadOnly(orm.Context()), a fresh context.Background()-based ORM context, so the DB lookup ignores the request's r.Context() cancellation/deadline.
// Fix: DefaultConfig.ReadOnly uses config.ReadOnly(r.Context()).
// Rule: sharedeadline
package readonly

import (
	"net/http"
)

// Config defines the config for ReadOnly middleware.
type Config struct {
	// ReadOnly defines a function to check whether is readonly mode for request
	ReadOnly func(*http.Request) bool
}

var (
	// DefaultConfig default readonly config
	DefaultConfig = Config{
		ReadOnly: func(r *http.Request) bool {
			return ReadOnly(r.Context())
		},
	}

	// See more for safe method at https://developer.mozilla.org/en-US/docs/Glossary/safe
	safeMethods = map[string]bool{
		http.MethodGet:     true,
		http.MethodHead:    true,
		http.MethodOptions: true,
	}
)

// safeMethodSkipper returns false when the request method is safe methods
func safeMethodSkipper(r *http.Request) bool {
	return safeMethods[r.Method]
}

// Middleware middleware reject request when harbor set to readonly with default config
func Middleware(skippers ...Skipper) func(http.Handler) http.Handler {
	return MiddlewareWithConfig(DefaultConfig, skippers...)
}

// MiddlewareWithConfig middleware reject request when harbor set to readonly with config
func MiddlewareWithConfig(config Config, skippers ...Skipper) func(http.Handler) http.Handler {
	if len(skippers) == 0 {
		skippers = []Skipper{safeMethodSkipper}
	} else {
		skippers = append(skippers, []Skipper{safeMethodSkipper}...)
	}

	if config.ReadOnly == nil {
		config.ReadOnly = DefaultConfig.ReadOnly
	}

	return New(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if config.ReadOnly(r) {
			http.Error(w, "The system is in read only mode. Any modification is prohibited.", http.StatusForbidden)
			return
		}

		next.ServeHTTP(w, r)
	}, skippers...)
}
