// Recall case cc-crossplane-render-stop-ctx
// Source: github.com/crossplane/crossplane commit acf1e514d370eaa42376fcae5861466a2a954231 (cmd/crank/render/render.go)
// Link: https://github.com/crossplane/crossplane/commit/acf1e514d370eaa42376fcae5861466a2a954231
// Bug: Render defers runtimes.Stop(ctx) with the render ctx (context.WithTimeout(..., c.Timeout) from Cmd.Run); when the render times out that ctx is already expired, so the Docker ContainerStop/ContainerRemove calls fail immediately and the function containers are left running.
// Fix: the deferred cleanup uses its own stopCtx := context.WithTimeout(context.Background(), 5*time.Second).
// Rule: cleanupctx
package render

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// Stub of the Docker Engine API client (github.com/docker/docker/client):
// HTTP over the Docker unix socket, caller ctx attached to every request.
// The real client sets no http.Client.Timeout.
// ---------------------------------------------------------------------------

type dockerClient struct {
	http *http.Client
}

func newDockerClient(socket string) *dockerClient {
	d := &net.Dialer{}
	return &dockerClient{http: &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "unix", socket)
			},
		},
	}}
}

func (c *dockerClient) post(ctx context.Context, method, path string, body any) (map[string]any, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("docker %s %s: %s", method, path, resp.Status)
	}
	out := map[string]any{}
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(&out)
	}
	return out, nil
}

func (c *dockerClient) ContainerCreate(ctx context.Context, image, name string) (string, error) {
	out, err := c.post(ctx, http.MethodPost, "/containers/create?name="+url.QueryEscape(name), map[string]any{"Image": image})
	if err != nil {
		return "", err
	}
	id, _ := out["Id"].(string)
	return id, nil
}

func (c *dockerClient) ContainerStart(ctx context.Context, id string) error {
	_, err := c.post(ctx, http.MethodPost, "/containers/"+id+"/start", nil)
	return err
}

func (c *dockerClient) ContainerStop(ctx context.Context, id string) error {
	_, err := c.post(ctx, http.MethodPost, "/containers/"+id+"/stop", nil)
	return err
}

func (c *dockerClient) ContainerRemove(ctx context.Context, id string) error {
	_, err := c.post(ctx, http.MethodDelete, "/containers/"+id, nil)
	return err
}

// functionConn stands in for the gRPC ClientConn to a running Function.
type functionConn struct {
	target string
	http   *http.Client
}

func (f *functionConn) RunFunction(ctx context.Context, req *RunFunctionRequest) (*RunFunctionResponse, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+f.target+"/RunFunction", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	resp, err := f.http.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rsp := &RunFunctionResponse{}
	if err := json.NewDecoder(resp.Body).Decode(rsp); err != nil {
		return nil, err
	}
	return rsp, nil
}

func (f *functionConn) Close() error {
	f.http.CloseIdleConnections()
	return nil
}

// ---------------------------------------------------------------------------
// cmd/crank/render/runtime.go + runtime_docker.go (reduced)
// ---------------------------------------------------------------------------

type DockerCleanup string

const (
	AnnotationValueRuntimeDockerCleanupStop   DockerCleanup = "Stop"
	AnnotationValueRuntimeDockerCleanupRemove DockerCleanup = "Remove"
	AnnotationValueRuntimeDockerCleanupOrphan DockerCleanup = "Orphan"
)

// RuntimeContext contains context on how a Function is being run.
type RuntimeContext struct {
	// Target for RunFunctionRequest gRPCs.
	Target string
	// Stop the running Function.
	Stop func(context.Context) error
}

type Function struct {
	Name    string
	Image   string
	Address string
	Cleanup DockerCleanup
}

type RuntimeDocker struct {
	Name    string
	Image   string
	Address string
	Cleanup DockerCleanup
	Socket  string
	log     *slog.Logger
}

func (r *RuntimeDocker) createContainer(ctx context.Context, cli *dockerClient) (string, string, error) {
	id, err := cli.ContainerCreate(ctx, r.Image, r.Name)
	if err != nil {
		return "", "", fmt.Errorf("cannot create Docker container: %w", err)
	}
	if err := cli.ContainerStart(ctx, id); err != nil {
		return "", "", fmt.Errorf("cannot start Docker container: %w", err)
	}
	return id, r.Address, nil
}

// Start a Function as a Docker container.
func (r *RuntimeDocker) Start(ctx context.Context) (RuntimeContext, error) {
	cli := newDockerClient(r.Socket)

	containerID, containerAddr, err := r.createContainer(ctx, cli)
	if err != nil {
		return RuntimeContext{}, err
	}

	stop := func(ctx context.Context) error {
		switch r.Cleanup {
		case AnnotationValueRuntimeDockerCleanupOrphan:
			r.log.Debug("Container left running", "container", containerID, "image", r.Image)
			return nil
		case AnnotationValueRuntimeDockerCleanupStop:
			if err := cli.ContainerStop(ctx, containerID); err != nil {
				return fmt.Errorf("cannot stop Docker container: %w", err)
			}
		case AnnotationValueRuntimeDockerCleanupRemove:
			if err := cli.ContainerStop(ctx, containerID); err != nil {
				return fmt.Errorf("cannot stop Docker container: %w", err)
			}
			if err := cli.ContainerRemove(ctx, containerID); err != nil {
				return fmt.Errorf("cannot remove Docker container: %w", err)
			}
		}
		return nil
	}
	return RuntimeContext{Target: containerAddr, Stop: stop}, nil
}

// ---------------------------------------------------------------------------
// cmd/crank/render/render.go (reduced)
// ---------------------------------------------------------------------------

type RunFunctionRequest struct {
	Step    string         `json:"step"`
	Desired map[string]any `json:"desired"`
}

type RunFunctionResponse struct {
	Desired map[string]any `json:"desired"`
}

// A RuntimeFunctionRunner runs functions locally, using the runtime
// configured in their annotations (e.g. Docker).
type RuntimeFunctionRunner struct {
	contexts map[string]RuntimeContext
	conns    map[string]*functionConn
	mx       sync.Mutex
}

// NewRuntimeFunctionRunner starts all the functions and creates connections.
func NewRuntimeFunctionRunner(ctx context.Context, log *slog.Logger, socket string, fns []Function) (*RuntimeFunctionRunner, error) {
	contexts := map[string]RuntimeContext{}
	conns := map[string]*functionConn{}

	for _, fn := range fns {
		runtime := &RuntimeDocker{Name: fn.Name, Image: fn.Image, Address: fn.Address, Cleanup: fn.Cleanup, Socket: socket, log: log}
		rctx, err := runtime.Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("cannot start Function %q: %w", fn.Name, err)
		}
		contexts[fn.Name] = rctx
		conns[fn.Name] = &functionConn{target: rctx.Target, http: &http.Client{}}
	}

	return &RuntimeFunctionRunner{contexts: contexts, conns: conns}, nil
}

// RunFunction runs the named function.
func (r *RuntimeFunctionRunner) RunFunction(ctx context.Context, name string, req *RunFunctionRequest) (*RunFunctionResponse, error) {
	r.mx.Lock()
	defer r.mx.Unlock()

	conn, ok := r.conns[name]
	if !ok {
		return nil, fmt.Errorf("unknown Function %q - does it exist in your Functions file?", name)
	}
	return conn.RunFunction(ctx, req)
}

// Stop all of the runner's runtimes, and close its connections.
func (r *RuntimeFunctionRunner) Stop(ctx context.Context) error {
	r.mx.Lock()
	defer r.mx.Unlock()

	for name, conn := range r.conns {
		_ = conn.Close()
		delete(r.conns, name)
	}
	for name, rctx := range r.contexts {
		if err := rctx.Stop(ctx); err != nil {
			return fmt.Errorf("cannot stop function %q runtime (target %q): %w", name, rctx.Target, err)
		}
		delete(r.contexts, name)
	}
	return nil
}

type PipelineStep struct {
	Step         string
	FunctionName string
}

type Inputs struct {
	Pipeline  []PipelineStep
	Functions []Function
	Socket    string
}

type Outputs struct {
	Desired map[string]any
}

// Render the desired composed resources given the supplied inputs.
func Render(ctx context.Context, log *slog.Logger, in Inputs) (Outputs, error) {
	runtimes, err := NewRuntimeFunctionRunner(ctx, log, in.Socket, in.Functions)
	if err != nil {
		return Outputs{}, fmt.Errorf("cannot start function runtimes: %w", err)
	}

	defer func() {
		// Don't use the main context, since it may be cancelled by the time we
		// get to cleanup (e.g., if render times out).
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()

		if err := runtimes.Stop(stopCtx); err != nil {
			log.Info("Error stopping function runtimes", "error", err)
		}
	}()

	desired := map[string]any{}
	for _, fn := range in.Pipeline {
		req := &RunFunctionRequest{Step: fn.Step, Desired: desired}
		rsp, err := runtimes.RunFunction(ctx, fn.FunctionName, req)
		if err != nil {
			return Outputs{}, fmt.Errorf("cannot run pipeline step %q: %w", fn.Step, err)
		}
		desired = rsp.Desired
	}
	return Outputs{Desired: desired}, nil
}

// ---------------------------------------------------------------------------
// cmd/crank/render/cmd.go (reduced)
// ---------------------------------------------------------------------------

type Cmd struct {
	Timeout time.Duration
}

var errNoPipeline = errors.New("composition has no pipeline steps")

func (c *Cmd) Run(log *slog.Logger, in Inputs) error {
	if len(in.Pipeline) == 0 {
		return errNoPipeline
	}

	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()

	out, err := Render(ctx, log, in)
	if err != nil {
		return fmt.Errorf("cannot render composite resource: %w", err)
	}
	log.Info("rendered", "desired", out.Desired)
	return nil
}
