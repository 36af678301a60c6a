// Recall case sc-rook-waitdeployments
// Source: github.com/rook/rook commit 33046734b3403ac404979050c3117e04c929eaf3 (pkg/operator/k8sutil/deployment.go)
// Link: https://github.com/rook/rook/commit/33046734b3403ac404979050c3117e04c929eaf3
// Bug: the poll function passed to RetryWithTimeout returns (false, err) when listing deployments fails, even when the error is context.Canceled from the operator's context, so the cancelled operation keeps retrying for up to the full wait timeout (20 minutes).
// Fix: waitFunc checks errors.Is(err, context.Canceled) and returns (true, wrapped err) to stop retrying.
// Rule: swallowcancel
package k8sutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	waitForDeploymentPeriod  = 5 * time.Second
	waitForDeploymentTimeout = 20 * time.Minute
)

type Deployment struct {
	Name               string `json:"name"`
	ObservedGeneration int64  `json:"observedGeneration"`
	UpdatedReplicas    int32  `json:"updatedReplicas"`
	ReadyReplicas      int32  `json:"readyReplicas"`
}

type DeploymentList struct {
	Items []Deployment `json:"items"`
}

// DeploymentsUpdated maps deployment names to their observed generation before the update.
type DeploymentsUpdated map[string]int64

type Failure struct {
	ResourceName string
	Error        error
}

type Failures []Failure

// RetryFunc is from pkg/util/retry.go.
type RetryFunc func() (done bool, err error)

// RetryWithTimeout is from pkg/util/retry.go.
func RetryWithTimeout(f RetryFunc, period time.Duration, timeout time.Duration, description string) error {
	tt := time.After(timeout)
	var done bool
	var err error
	for {
		done, err = f()
		if done {
			break
		}
		if err != nil {
			log.Printf("error occurred waiting for %s. retrying after %v. %v", description, period, err)
		}

		select {
		case <-time.After(period):
			// go back to start of loop
		case <-tt:
			// timeout; try one last time
			done, err = f()
			if !done {
				if err != nil {
					return fmt.Errorf("timed out waiting for %s: %w", description, err)
				}
				return fmt.Errorf("timed out waiting for %s", description)
			}
			return err
		}
	}

	return err
}

func deploymentIsDoneUpdating(d *Deployment, oldObservedGeneration int64) bool {
	return d.ObservedGeneration != oldObservedGeneration && d.UpdatedReplicas > 0 && d.ReadyReplicas > 0
}

// WaitForDeploymentsToUpdate waits for all deployments to update. It returns a list of failures.
func WaitForDeploymentsToUpdate(
	deploymentsUpdated DeploymentsUpdated,
	progressDeadlineSeconds *int32,
	listFunc func() (*DeploymentList, error),
) Failures {
	waitingOn := DeploymentsUpdated{}
	for k, v := range deploymentsUpdated {
		waitingOn[k] = v
	}
	failures := Failures{}

	waitFunc := func() (done bool, err error) {
		deployments, err := listFunc()
		if err != nil {
			// if the context got cancelled, then no need to wait or retry.
			if errors.Is(err, context.Canceled) {
				return true, fmt.Errorf("failed to list deployments due to context cancellation: %w", err)
			}
			return false, fmt.Errorf("failed to list deployments: %w", err)
		}
		for i, dep := range deployments.Items {
			oldGeneration, ok := waitingOn[dep.Name]
			if !ok {
				continue
			}
			if deploymentIsDoneUpdating(&deployments.Items[i], oldGeneration) {
				delete(waitingOn, dep.Name)
			}
		}
		if len(waitingOn) == 0 {
			return true, nil
		}
		return false, nil
	}

	timeout := waitForDeploymentTimeout
	if progressDeadlineSeconds != nil {
		timeout = 2 * time.Duration(*progressDeadlineSeconds) * time.Second
	}

	err := RetryWithTimeout(waitFunc, waitForDeploymentPeriod, timeout, "deployments to be updated")
	if err != nil {
		log.Printf("%v", err)
	}

	for depName := range waitingOn {
		failures = append(failures, Failure{
			ResourceName: depName,
			Error:        fmt.Errorf("timed out waiting on deployment %q", depName),
		})
	}
	return failures
}

// Cluster is a reduced stand-in for the OSD cluster; it lists deployments from the API server over HTTP.
type Cluster struct {
	ctx        context.Context
	httpClient *http.Client
	apiURL     string
	namespace  string
}

func (c *Cluster) getFuncToListDeploymentsWithIDs(osdIDs []string) func() (*DeploymentList, error) {
	selector := fmt.Sprintf("ceph-osd-id in (%s)", strings.Join(osdIDs, ", "))
	return func() (*DeploymentList, error) {
		u := fmt.Sprintf("%s/apis/apps/v1/namespaces/%s/deployments?labelSelector=%s", c.apiURL, c.namespace, url.QueryEscape(selector))
		req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.httpClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var list DeploymentList
		err = json.NewDecoder(resp.Body).Decode(&list)
		return &list, err
	}
}

func (c *Cluster) waitForOSDs(updated DeploymentsUpdated, osdIDs []string) Failures {
	listFunc := c.getFuncToListDeploymentsWithIDs(osdIDs)
	return WaitForDeploymentsToUpdate(updated, nil, listFunc)
}
