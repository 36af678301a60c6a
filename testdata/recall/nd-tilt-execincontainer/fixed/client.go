// Recall case nd-tilt-execincontainer
// Source: github.com/tilt-dev/tilt commit 1ec928ada3ecc5d4514161309329ac5d485359fa (internal/docker/client.go)
// Link: https://github.com/tilt-dev/tilt/commit/1ec928ada3ecc5d4514161309329ac5d485359fa
// Bug: Cli.ExecInContainer passes the live-update ctx (no deadline) straight to ContainerExecCreate/ContainerExecStart, so a wedged Docker daemon hangs DockerUpdater.UpdateContainer forever.
// Fix: wrap the exec setup calls in context.WithTimeout(ctx, 5*time.Second).
// Rule: nodeadline
package dockerexec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ---- stub of github.com/docker/docker/client (same transport shape) ----

// dockerAPIClient mirrors docker/client.Client: an *http.Client without a
// Timeout talking to the daemon socket; every call is bounded only by ctx.
type dockerAPIClient struct {
	client *http.Client
	host   string
}

// newDockerAPIClient mirrors client.defaultHTTPClient + sockets.configureUnixTransport.
func newDockerAPIClient(socketPath string) *dockerAPIClient {
	dialer := &net.Dialer{Timeout: 10 * time.Second} // sockets.defaultTimeout (dial only)
	tr := &http.Transport{
		DisableCompression: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", socketPath)
		},
	}
	return &dockerAPIClient{client: &http.Client{Transport: tr}, host: "http://docker"}
}

func (cli *dockerAPIClient) post(ctx context.Context, path string, body interface{}) (*http.Response, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cli.host+path, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := cli.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("docker API %s: status %d", path, resp.StatusCode)
	}
	return resp, nil
}

type ExecConfig struct {
	Cmd          []string
	AttachStdout bool
	AttachStderr bool
	AttachStdin  bool
	Tty          bool
}

type ExecStartCheck struct {
	Detach bool
	Tty    bool
}

type IDResponse struct {
	ID string
}

func (cli *dockerAPIClient) ContainerExecCreate(ctx context.Context, container string, options ExecConfig) (IDResponse, error) {
	var response IDResponse
	resp, err := cli.post(ctx, "/containers/"+container+"/exec", options)
	if err != nil {
		return response, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&response)
	return response, err
}

func (cli *dockerAPIClient) ContainerExecStart(ctx context.Context, execID string, config ExecStartCheck) error {
	resp, err := cli.post(ctx, "/exec/"+execID+"/start", config)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// ---- tilt internal/docker ----

type Cmd struct {
	Argv []string
}

func (c Cmd) String() string { return fmt.Sprint(c.Argv) }

type Cli struct {
	*dockerAPIClient
}

func NewDockerClient(socketPath string) *Cli {
	return &Cli{dockerAPIClient: newDockerAPIClient(socketPath)}
}

func (c *Cli) ExecInContainer(ctx context.Context, cID string, cmd Cmd, in io.Reader, out io.Writer) error {
	attachStdin := in != nil
	cfg := ExecConfig{
		Cmd:          cmd.Argv,
		AttachStdout: true,
		AttachStderr: true,
		AttachStdin:  attachStdin,
		Tty:          !attachStdin,
	}

	// We've sometimes seen ExecCreate/Attach/Start hang, so we add a timeout
	// here.  It happens very rarely and is not consistently reproducible. It
	// seems to happen when running the exec inside a volume.
	// https://github.com/tilt-dev/tilt/issues/6521
	createCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	execId, err := c.ContainerExecCreate(createCtx, cID, cfg)
	if err != nil {
		return fmt.Errorf("ExecInContainer#create: %w", err)
	}

	err = c.ContainerExecStart(createCtx, execId.ID, ExecStartCheck{})
	if err != nil {
		return fmt.Errorf("ExecInContainer#start: %w", err)
	}

	_, err = fmt.Fprintf(out, "RUNNING: %s\n", cmd)
	if err != nil {
		return fmt.Errorf("ExecInContainer#print: %w", err)
	}
	return nil
}
