// Recall case tl-chaos-mesh-portforward
// Source: github.com/chaos-mesh/chaos-mesh commit 466578eb06d3d96e65bd68ba9adbcbd1d67cc367 (pkg/portforward/portforward.go)
// Link: https://github.com/chaos-mesh/chaos-mesh/commit/466578eb06d3d96e65bd68ba9adbcbd1d67cc367
// Bug: portForwarder.forwardPorts starts go func(){ errChan <- fw.ForwardPorts() }() on an unbuffered errChan, but returns as soon as readyChan fires; when the forward later ends (cancel) nobody reads errChan and the goroutine blocks forever.
// Fix: errChan is buffered (make(chan error, 1)) so the final send never blocks.
// Rule: timeoutleak
package portforward

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
)

// Pod is the subset of corev1.Pod used here.
type Pod struct {
	Namespace string
	Name      string
	Running   bool
}

// portForwarder implements PortForward interface
type portForwarder struct {
	ctx       context.Context
	apiServer *url.URL
	enableLog bool
}

// NewPortForwarder would create a new port-forward
func NewPortForwarder(ctx context.Context, apiServer *url.URL, enableLog bool) *portForwarder {
	return &portForwarder{ctx: ctx, apiServer: apiServer, enableLog: enableLog}
}

func (f *portForwarder) forwardPorts(podKey, method string, url *url.URL, addresses []string, ports []string) (forwardedPorts []ForwardedPort, cancel context.CancelFunc, err error) {
	dialer := NewDialer(method, url)
	r, w := io.Pipe()
	ctx, cancel := context.WithCancel(f.ctx)
	readyChan := make(chan struct{})
	fw, err := NewOnAddresses(dialer, addresses, ports, ctx.Done(), readyChan, w, w)
	if err != nil {
		cancel()
		return nil, nil, err
	}

	// logging stdout/stderr of port forwarding
	go func() {
		// close pipe if the context is done
		<-ctx.Done()
		w.Close()
	}()

	go func() {
		lineScanner := bufio.NewScanner(r)
		for lineScanner.Scan() {
			if f.enableLog {
				log.Printf("log from port forwarding %q: %s", podKey, lineScanner.Text())
			}
		}
	}()

	// run port forwarding
	errChan := make(chan error)
	go func() {
		errChan <- fw.ForwardPorts()
	}()

	// wait for ready or error
	select {
	case <-readyChan:
		break
	case err := <-errChan:
		cancel()
		return nil, nil, err
	}

	forwardedPorts, err = fw.GetPorts()
	if err != nil {
		cancel()
		return nil, nil, err
	}

	return forwardedPorts, cancel, nil
}

// ForwardPod would port-forward target Pod
func (f *portForwarder) ForwardPod(pod *Pod, addresses []string, ports []string) (forwardedPorts []ForwardedPort, cancel context.CancelFunc, err error) {
	if !pod.Running {
		return nil, nil, fmt.Errorf("unable to forward port because pod is not running")
	}

	u := *f.apiServer
	u.Path = fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/portforward", pod.Namespace, pod.Name)

	return f.forwardPorts(fmt.Sprintf("%s/%s", pod.Namespace, pod.Name), "POST", &u, addresses, ports)
}
