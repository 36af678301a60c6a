// Callers of an API's context-free forms (ctxflow/facts/forms): a form
// whose wait nothing bounds is reported here, where the context form could
// be called, as a catalog sink's call is.
package contextfree

import (
	"context"
	"net/http"

	"ctxflow/facts/forms"
)

func open(ctx context.Context, dsn string) (*forms.DB, error) {
	return forms.Connect("postgres", dsn) // want `forms.Connect cannot take ctx and waits in \(\*sql.DB\).Ping with no deadline, so it can hang forever: use ConnectContext\(ctx, …\)`
}

func openNoContext(dsn string) (*forms.DB, error) {
	return forms.Connect("postgres", dsn) // want `forms.Connect takes no context and waits in \(\*sql.DB\).Ping with no deadline, so it can hang forever: use ConnectContext\(ctx, …\)`
}

func fetch(ctx context.Context, c *forms.Client) error {
	resp, err := c.Get("https://example.com") // want `\(\*forms.Client\).Get cannot take ctx and waits in \(\*http.Client\).Do via \(\*forms.Client\).GetContext with no deadline`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The twins themselves, given the caller's context: nothing to say here.
func fetchContext(ctx context.Context, c *forms.Client) error {
	resp, err := c.GetContext(ctx, "https://example.com")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A client with a Timeout bounds the form's wait.
func fetchTimed(c *forms.TimedClient) error {
	resp, err := c.Get("https://example.com")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// MustConnect has no context form: its wait is judged inside the API, not
// at its callers.
func mustOpen(dsn string) *forms.DB {
	return forms.MustConnect("postgres", dsn)
}

// A context-free form of this package's own API forwards the wait to its
// callers in turn, and is not reported itself.
type Repo struct{ c *forms.Client }

func (r *Repo) Page(url string) error {
	return r.PageContext(context.Background(), url)
}

func (r *Repo) PageContext(ctx context.Context, url string) error {
	resp, err := r.c.GetContext(ctx, url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func page(r *Repo) error {
	return r.Page("https://example.com") // want `\(\*contextfree.Repo\).Page takes no context and waits in \(\*http.Client\).Do via \(\*contextfree.Repo\).PageContext with no deadline, so it can hang forever: use PageContext\(ctx, …\)`
}

// A context decorated by another package's function (a fact says it
// returns its parameter's context) is still the root it was given.
func namespaced(url string) error {
	ctx := forms.WithNamespace(context.Background(), "builds")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req) // want `context.Background\(\) reaches \(\*http.Client\).Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
