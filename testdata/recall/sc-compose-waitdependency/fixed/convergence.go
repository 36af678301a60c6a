// Recall case sc-compose-waitdependency
// Source: github.com/docker/compose commit 06f4f9d622cd29d8b889e657abea273534c361a3 (pkg/compose/convergence.go)
// Link: https://github.com/docker/compose/commit/06f4f9d622cd29d8b889e657abea273534c361a3
// Bug: waitDependency returns nil whenever its context ends, so when the --wait-timeout deadline expires (context.DeadlineExceeded) the dependency wait is reported as success and waitDependencies' timeout error is unreachable.
// Fix: on <-ctx.Done() return ctx.Err() when it is context.DeadlineExceeded (plain cancellation still returns nil).
// Rule: swallowcancel
package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

const (
	ServiceConditionHealthy               = "service_healthy"
	ServiceConditionCompletedSuccessfully = "service_completed_successfully"
	ServiceConditionStarted               = "service_started"
	// ServiceConditionRunningOrHealthy is a service condition on status running or healthy
	ServiceConditionRunningOrHealthy = "running_or_healthy"
)

// ServiceDependency is the stand-in for types.ServiceDependency.
type ServiceDependency struct {
	Condition string
	Required  bool
}

// DependsOnConfig is the stand-in for types.DependsOnConfig.
type DependsOnConfig map[string]ServiceDependency

// Container is the stand-in for container.Summary.
type Container struct {
	ID      string
	Service string
}

// Containers is a set of containers.
type Containers []Container

func (c Containers) forService(name string) Containers {
	var out Containers
	for _, ctr := range c {
		if ctr.Service == name {
			out = append(out, ctr)
		}
	}
	return out
}

// inspectResult is the subset of the engine ContainerInspect answer we need.
type inspectResult struct {
	Name  string
	State struct {
		Status   string
		ExitCode int
		Health   *struct{ Status string }
	}
}

// engineClient is the stand-in for the docker API client: it talks to the
// engine over HTTP.
type engineClient struct {
	httpClient *http.Client
	host       string
}

func (c *engineClient) ContainerInspect(ctx context.Context, id string) (inspectResult, error) {
	var res inspectResult
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.host+"/containers/"+id+"/json", nil)
	if err != nil {
		return res, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&res)
	return res, err
}

// group is the stand-in for golang.org/x/sync/errgroup.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

type composeService struct {
	api *engineClient
}

func (s *composeService) waitDependencies(ctx context.Context, dependant string, dependencies DependsOnConfig, containers Containers, timeout time.Duration) error {
	if timeout > 0 {
		withTimeout, cancelFunc := context.WithTimeout(ctx, timeout)
		defer cancelFunc()
		ctx = withTimeout
	}
	eg, ctx := withContext(ctx)
	for dep, config := range dependencies {
		if config.Condition == ServiceConditionStarted {
			continue
		}

		waitingFor := containers.forService(dep)
		if len(waitingFor) == 0 {
			if config.Required {
				return fmt.Errorf("%s is missing dependency %s", dependant, dep)
			}
			log.Printf("%s is missing dependency %s", dependant, dep)
			continue
		}

		eg.Go(func() error {
			return s.waitDependency(ctx, dep, config, waitingFor)
		})
	}
	err := eg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timeout waiting for dependencies")
	}
	return err
}

// waitDependency polls the dependency's containers until its depends_on
// condition is satisfied (done), definitively failed (err), or ctx is
// cancelled. Each check reports (done, err): (false, nil) means keep polling.
func (s *composeService) waitDependency(ctx context.Context, dep string, config ServiceDependency, waitingFor Containers) error {
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-ctx.Done():

			// An expired deadline is precisely the failure this wait is meant
			// to detect; only a plain cancellation (Ctrl-C) stays silent.
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ctx.Err()
			}
			return nil
		}
		var (
			done bool
			err  error
		)
		switch config.Condition {
		case ServiceConditionRunningOrHealthy:
			done, err = s.checkDependencyHealthy(ctx, dep, config, waitingFor, true)
		case ServiceConditionHealthy:
			done, err = s.checkDependencyHealthy(ctx, dep, config, waitingFor, false)
		case ServiceConditionCompletedSuccessfully:
			done, err = s.checkDependencyCompleted(ctx, dep, config, waitingFor)
		default:
			log.Printf("unsupported depends_on condition: %s", config.Condition)
			return nil
		}
		if done || err != nil {
			return err
		}
	}
}

func (s *composeService) checkDependencyHealthy(ctx context.Context, dep string, config ServiceDependency, waitingFor Containers, fallbackRunning bool) (bool, error) {
	isHealthy, err := s.isServiceHealthy(ctx, waitingFor, fallbackRunning)
	if err != nil {
		if !config.Required {
			log.Printf("optional dependency %q failed to start: %s", dep, err.Error())
			return true, nil
		}
		return false, fmt.Errorf("dependency failed to start: %w", err)
	}
	return isHealthy, nil
}

func (s *composeService) checkDependencyCompleted(ctx context.Context, dep string, config ServiceDependency, waitingFor Containers) (bool, error) {
	for _, ctr := range waitingFor {
		res, err := s.api.ContainerInspect(ctx, ctr.ID)
		if err != nil {
			return false, err
		}
		if res.State.Status == "exited" {
			if res.State.ExitCode == 0 || !config.Required {
				return true, nil
			}
			return false, fmt.Errorf("service %q didn't complete successfully: exit %d", dep, res.State.ExitCode)
		}
	}
	return false, nil
}

func (s *composeService) isServiceHealthy(ctx context.Context, containers Containers, fallbackRunning bool) (bool, error) {
	for _, ctr := range containers {
		res, err := s.api.ContainerInspect(ctx, ctr.ID)
		if err != nil {
			return false, err
		}
		if res.State.Status == "exited" {
			return false, fmt.Errorf("container %s exited (%d)", res.Name, res.State.ExitCode)
		}
		if res.State.Health == nil {
			if fallbackRunning {
				return res.State.Status == "running", nil
			}
			return false, fmt.Errorf("container %s has no healthcheck configured", res.Name)
		}
		switch res.State.Health.Status {
		case "healthy":
		case "unhealthy":
			return false, fmt.Errorf("container %s is unhealthy", res.Name)
		case "starting":
			return false, nil
		default:
			return false, fmt.Errorf("container %s had unexpected health status %q", res.Name, res.State.Health.Status)
		}
	}
	return true, nil
}
