// Recall case sd-podman-imagespull
// Source: github.com/containers/podman commit c60548279162d5d313b6f2f2dbf50e9a514e23a1 (pkg/api/handlers/libpod/images_pull.go)
// Link: https://github.com/containers/podman/commit/c60548279162d5d313b6f2f2dbf50e9a514e23a1
// Bug: ImagesPull runs the registry pull under context.WithCancel(context.Background()) although r.Context() is in scope, so when the client closes the connection the handler returns but the pull keeps running.
// Fix: derive runCtx from r.Context() (context.WithCancel(r.Context())).
// Rule: sharedeadline
package libpod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
)

// --- stub of containers/common libimage: Pull fetches the manifest from the registry using ctx ---

type Image struct{ id string }

func (i *Image) ID() string { return i.id }

type PullOptions struct {
	AllTags  bool
	Username string
	Password string
	Writer   io.Writer
}

type ImageRuntime struct {
	client *http.Client
}

// NewImageRuntime mirrors libimage's registry client setup: a transport and no client-level Timeout.
func NewImageRuntime() *ImageRuntime {
	return &ImageRuntime{client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
}

// Pull mirrors libimage.Runtime.Pull: it resolves the reference and fetches the
// manifest from the registry with an http request bound to ctx (the registry
// http.Client has no client-level Timeout, as in containers/image).
func (r *ImageRuntime) Pull(ctx context.Context, name string, options *PullOptions) ([]*Image, error) {
	registry, repo, ok := strings.Cut(name, "/")
	if !ok {
		return nil, fmt.Errorf("invalid reference %q", name)
	}
	repo, tag, ok := strings.Cut(repo, ":")
	if !ok {
		tag = "latest"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+registry+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		return nil, err
	}
	if options.Username != "" {
		req.SetBasicAuth(options.Username, options.Password)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pulling %s: unexpected status %s", name, resp.Status)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, err
	}
	return []*Image{{id: resp.Header.Get("Docker-Content-Digest")}}, nil
}

type Runtime struct {
	images *ImageRuntime
}

func (r *Runtime) LibimageRuntime() *ImageRuntime { return r.images }

type runtimeKey struct{}

// RuntimeKey mirrors the "runtime" request context key.
var RuntimeKey = runtimeKey{}

// --- pkg/channel writer (upstream) ---

type WriteCloser interface {
	io.WriteCloser
	Chan() <-chan []byte
}

type writeCloser struct {
	ch  chan []byte
	mux sync.Mutex
}

func NewWriter(c chan []byte) WriteCloser {
	return &writeCloser{ch: c}
}

func (w *writeCloser) Chan() <-chan []byte { return w.ch }

func (w *writeCloser) Write(b []byte) (int, error) {
	w.mux.Lock()
	defer w.mux.Unlock()
	if w.ch == nil {
		return 0, errors.New("the channel is closed for Write")
	}
	buf := make([]byte, len(b))
	copy(buf, b)
	w.ch <- buf
	return len(b), nil
}

func (w *writeCloser) Close() error {
	w.mux.Lock()
	defer w.mux.Unlock()
	close(w.ch)
	w.ch = nil
	return nil
}

type ImagePullReport struct {
	Stream string   `json:"stream,omitempty"`
	Error  string   `json:"error,omitempty"`
	Images []string `json:"images,omitempty"`
	ID     string   `json:"id,omitempty"`
}

// --- reduced podman code ---

// ImagesPull is the v2 libpod endpoint for pulling images.
func ImagesPull(w http.ResponseWriter, r *http.Request) {
	runtime := r.Context().Value(RuntimeKey).(*Runtime)
	reference := r.URL.Query().Get("reference")
	if len(reference) == 0 {
		http.Error(w, "reference parameter cannot be empty", http.StatusInternalServerError)
		return
	}

	pullOptions := &PullOptions{}
	pullOptions.AllTags = r.URL.Query().Get("allTags") == "true"
	if user, pass, ok := r.BasicAuth(); ok {
		pullOptions.Username = user
		pullOptions.Password = pass
	}

	writer := NewWriter(make(chan []byte))
	defer writer.Close()

	pullOptions.Writer = writer

	var pulledImages []*Image
	var pullError error
	runCtx, cancel := context.WithCancel(r.Context())
	go func() {
		defer cancel()
		pulledImages, pullError = runtime.LibimageRuntime().Pull(runCtx, reference, pullOptions)
	}()

	flush := func() {
		if flusher, ok := w.(http.Flusher); ok {
			flusher.Flush()
		}
	}

	w.WriteHeader(http.StatusOK)
	w.Header().Add("Content-Type", "application/json")
	flush()

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	for {
		var report ImagePullReport
		select {
		case s := <-writer.Chan():
			report.Stream = string(s)
			if err := enc.Encode(report); err != nil {
				log.Printf("Failed to encode json: %v", err)
			}
			flush()
		case <-runCtx.Done():
			for _, image := range pulledImages {
				report.Images = append(report.Images, image.ID())
				// Pull last ID from list and publish in 'id' stanza.  This maintains previous API contract
				report.ID = image.ID()
			}
			if pullError != nil {
				report.Error = pullError.Error()
			}
			if err := enc.Encode(report); err != nil {
				log.Printf("Failed to encode json: %v", err)
			}
			flush()
			return
		case <-r.Context().Done():
			// Client has closed connection
			return
		}
	}
}
