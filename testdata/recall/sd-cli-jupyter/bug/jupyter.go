// Recall case sd-cli-jupyter
// Source: github.com/cli/cli commit 766e6a2314b176a8000f23284b7368fbcdc573c3 (pkg/cmd/codespace/jupyter.go)
// Link: https://github.com/cli/cli/commit/766e6a2314b176a8000f23284b7368fbcdc573c3
// Bug: grpc.Client.StartJupyterServer starts its own 30s budget from context.Background() instead of the caller's ctx, so the RPC made on behalf of App.Jupyter(ctx, ...) ignores the command's cancellation/deadline (Ctrl-C does not abort it).
// Fix: StartJupyterServer takes ctx and derives its timeout with context.WithTimeout(ctx, requestTimeout); Jupyter passes its ctx.
// Rule: sharedeadline
package codespace

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
)

type App struct {
	out          io.Writer
	internalAddr string
	sessionToken string
}

func (a *App) Jupyter(ctx context.Context, codespaceName string) (err error) {
	// Ensure all child tasks (e.g. port forwarding) terminate before return.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	client, err := Connect(ctx, a.internalAddr, a.sessionToken)
	if err != nil {
		return fmt.Errorf("error connecting to internal server: %w", err)
	}
	defer client.Close()

	serverPort, serverUrl, err := client.StartJupyterServer()
	if err != nil {
		return fmt.Errorf("failed to start JupyterLab server: %w", err)
	}

	// Pass 0 to pick a random port
	listen, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 0))
	if err != nil {
		return err
	}
	defer listen.Close()
	destPort := listen.Addr().(*net.TCPAddr).Port

	// Server URL contains an authentication token that must be preserved
	targetUrl := strings.Replace(serverUrl, fmt.Sprintf("%d", serverPort), fmt.Sprintf("%d", destPort), 1)
	fmt.Fprintln(a.out, targetUrl)

	<-ctx.Done()
	return nil // success
}
