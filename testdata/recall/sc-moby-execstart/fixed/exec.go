// Recall case sc-moby-execstart
// Source: github.com/moby/moby commit d84da75f01e0a0d20fbddb8b051a325e3b21eded (daemon/exec.go)
// Link: https://github.com/moby/moby/pull/36670
// Bug: when the request ctx is done, ContainerExecStart returns a freshly invented fmt.Errorf("context cancelled") instead of the context error.
// Fix: return ctx.Err().
// Rule: swallowcancel
package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const termProcessTimeout = 10

// containerdClient stands in for libcontainerd's client; each call is an RPC.
type containerdClient struct{ addr string }

func (c *containerdClient) call(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *containerdClient) Exec(ctx context.Context, containerID, processID string) (int, error) {
	return 0, c.call(ctx, "/exec/"+containerID+"/"+processID)
}

func (c *containerdClient) SignalProcess(ctx context.Context, containerID, processID string, sig int) error {
	return c.call(ctx, "/signal/"+containerID+"/"+processID+"/"+strconv.Itoa(sig))
}

type Daemon struct{ containerd *containerdClient }

func copyStreams(ctx context.Context, dst io.Writer, src io.Reader) <-chan error {
	errc := make(chan error, 1)
	go func() { _, err := io.Copy(dst, src); errc <- err }()
	return errc
}

func (d *Daemon) ContainerExecStart(ctx context.Context, containerID, name string, stdin io.Reader, stdout io.Writer) error {
	attachErr := copyStreams(ctx, stdout, stdin)

	if _, err := d.containerd.Exec(ctx, containerID, name); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
		d.containerd.SignalProcess(ctx, containerID, name, 15)
		select {
		case <-time.After(termProcessTimeout * time.Second):
			d.containerd.SignalProcess(ctx, containerID, name, 9)
		case <-attachErr:
			// TERM signal worked
		}
		return ctx.Err()
	case err := <-attachErr:
		if err != nil {
			return fmt.Errorf("exec attach failed: %w", err)
		}
	}
	return nil
}
