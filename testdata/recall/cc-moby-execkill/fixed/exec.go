// Recall case cc-moby-execkill
// Source: github.com/moby/moby commit 4b84a3321723a849295d5cbf7342ec36077f9179 (daemon/exec.go)
// Link: https://github.com/moby/moby/pull/43739
// Bug: after ctx.Done(), ContainerExecStart sends TERM/KILL via SignalProcess(ctx, ...) with the already-cancelled request ctx, so the signal RPCs fail and the exec keeps running.
// Fix: the KILL is sent with a fresh context.WithTimeout(context.Background(), 30*time.Second) (and stream copying no longer uses the request ctx).
// Rule: cleanupctx
package daemon

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"
)

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
	// using context.Background() so that attachErr does not race ctx.Done().
	copyCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attachErr := copyStreams(copyCtx, stdout, stdin)

	if _, err := d.containerd.Exec(ctx, containerID, name); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
		log.Printf("Sending KILL signal to container process %v in container %v", name, containerID)
		sigCtx, cancelFunc := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancelFunc()
		err := d.containerd.SignalProcess(sigCtx, containerID, name, 9)
		if err != nil {
			log.Printf("Could not send KILL signal to container process: %v", err)
		}
		return ctx.Err()
	case err := <-attachErr:
		if err != nil {
			return fmt.Errorf("exec attach failed: %w", err)
		}
	}
	return nil
}
