package callbacks

import (
	"context"
	"net/http"
	"time"

	"sharedeadline/callbacks/handler"
)

func probe(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:2379/health", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// checkAPI starts its own budget from Background.
func checkAPI() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return probe(ctx) == nil
}

func Register(mux *http.ServeMux) {
	mux.Handle("/health", handler.New(func(verbose bool) bool { // want `this function literal starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*http.Client\).Do via callbacks.checkAPI, and handler.New calls it where r.Context\(\) is in scope: that wait ignores the caller's deadline and cancellation; give check a context parameter and pass r.Context\(\) to it`
		return checkAPI()
	}))
}

func healthy(verbose bool) bool { return checkAPI() }

// A declared function is named.
func RegisterNamed(mux *http.ServeMux) {
	mux.Handle("/health", handler.New(healthy)) // want `healthy starts its own`
}

func upload(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return probe(ctx)
}

// Through a function that takes the caller's ctx.
func UploadAll(ctx context.Context, names []string) error {
	return handler.Each(ctx, names, upload) // want `upload starts its own .*handler.Each calls it where ctx is in scope`
}

// --- not reported ---

// The caller has no context to give: Each runs under Background anyway.
func UploadAllDetached(names []string) error {
	return handler.Each(context.Background(), names, upload)
}

// The fixed form: the function takes the request's context.
func RegisterFixed(mux *http.ServeMux) {
	mux.Handle("/health", handler.NewWithContext(func(ctx context.Context) bool {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return probe(ctx) == nil
	}))
}

// No context where the function runs: its own budget is all there is.
func RunAlone() error {
	handler.Later(func() { checkAPI() })
	return handler.Run(func() error { return upload("x") })
}

// The function is bounded by the caller's ctx already: it does not start a
// root of its own.
func UploadWith(ctx context.Context, names []string) error {
	return handler.Each(ctx, names, func(name string) error { return probe(ctx) })
}
