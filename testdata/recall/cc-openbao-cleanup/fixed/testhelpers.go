// Recall case cc-openbao-cleanup
// Source: github.com/openbao/openbao commit dd877dbe94aedbf7e547be25dcd009097ce010e4 (sdk/helper/docker/testhelpers.go)
// Link: https://github.com/openbao/openbao/commit/dd877dbe94aedbf7e547be25dcd009097ce010e4
// Bug: The container cleanup closure of StartNewService calls DockerAPI.ContainerRemove with the creation ctx; it runs after backoff.Retry failed because that ctx timed out/was cancelled (or later via Service.Cleanup), so the remove request fails immediately and containers are leaked.
// Fix: Each removal attempt uses its own context.WithTimeout(context.Background(), 10*time.Second) instead of the (possibly cancelled) creation ctx.
// Rule: cleanupctx
package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

type Runner struct {
	DockerAPI  *Client
	RunOptions RunOptions
}

type RunOptions struct {
	ContainerName   string
	DoNotAutoRemove bool
	PostStart       func(string, string) error
}

type ServiceConfig interface {
	Address() string
}

type ServiceAdapter func(ctx context.Context, host string, port int) (ServiceConfig, error)

type Service struct {
	Config      ServiceConfig
	Cleanup     func()
	Container   *InspectResponse
	StartResult *StartResult
}

type StartResult struct {
	Container *InspectResponse
	Addrs     []string
	RealIP    string
}

func (d *Runner) Start(ctx context.Context) (*StartResult, error) {
	c, err := d.DockerAPI.ContainerCreateAndStart(ctx, d.RunOptions.ContainerName)
	if err != nil {
		return nil, err
	}
	return &StartResult{Container: &c, Addrs: []string{"127.0.0.1:8200"}, RealIP: "127.0.0.1"}, nil
}

func (d *Runner) StartNewService(ctx context.Context, connect ServiceAdapter) (*Service, string, error) {
	result, err := d.Start(context.Background())
	if err != nil {
		return nil, "", err
	}

	if d.RunOptions.PostStart != nil {
		if err := d.RunOptions.PostStart(result.Container.ID, result.RealIP); err != nil {
			return nil, "", fmt.Errorf("poststart failed: %w", err)
		}
	}

	cleanup := func() {
		for range 10 {
			if func() bool {
				// Container removal may take a little bit, but do not
				// prematurely time out because our parent context was
				// cancelled on us.
				cleanupCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()

				// We don't necessarily have anywhere to surface this error
				// so swallow it.
				_, err := d.DockerAPI.ContainerRemove(cleanupCtx, result.Container.ID, ContainerRemoveOptions{Force: true})
				if err == nil || IsNotFound(err) {
					return true
				}

				return false
			}() {
				// OK to return early
				return
			}

			time.Sleep(1 * time.Second)
		}
	}

	host, port, err := net.SplitHostPort(result.Addrs[0])
	if err != nil {
		return nil, "", err
	}
	portInt, err := strconv.Atoi(port)
	if err != nil {
		return nil, "", err
	}

	op := func() (ServiceConfig, error) {
		container, err := d.DockerAPI.ContainerInspect(ctx, result.Container.ID)
		if err != nil || !container.State.Running {
			return nil, Permanent(fmt.Errorf("failed inspect or container %q not running: %w", result.Container.ID, err))
		}

		c, err := connect(ctx, host, portInt)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, errors.New("service adapter returned nil error and config")
		}
		return c, nil
	}

	config, err := Retry(ctx, op, 5*time.Second, 2*time.Minute)
	if err != nil {
		if !d.RunOptions.DoNotAutoRemove {
			cleanup()
		}
		return nil, "", err
	}

	return &Service{
		Config:      config,
		Cleanup:     cleanup,
		Container:   result.Container,
		StartResult: result,
	}, result.Container.ID, nil
}
