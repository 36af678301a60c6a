// Recall case sc-kubedog-jobtrack
// Source: github.com/werf/kubedog commit 6ffc5a117ada8447acd9204d381215ab038b9395 (pkg/tracker/job/tracker.go)
// Link: https://github.com/werf/kubedog/commit/6ffc5a117ada8447acd9204d381215ab038b9395
// Bug: When the tracking context is cancelled or times out, Track's ctx.Done() branch only logs and returns nil, so callers see a cancelled/timed-out tracking as a successful one.
// Fix: The ctx.Done() branch returns context.Cause(ctx) instead of nil.
// Rule: swallowcancel
package job

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

// Job is a reduced batch/v1 Job object.
type Job struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Succeeded int32  `json:"succeeded"`
	Failed    int32  `json:"failed"`
	Deleted   bool   `json:"deleted"`
}

type JobStatus struct {
	IsSucceeded  bool
	IsFailed     bool
	FailedReason string
}

type TrackerState string

const (
	Initial         TrackerState = ""
	ResourceAdded   TrackerState = "ResourceAdded"
	ResourceFailed  TrackerState = "ResourceFailed"
	ResourceDeleted TrackerState = "ResourceDeleted"
)

func debugEnabled() bool { return os.Getenv("KUBEDOG_TRACKER_DEBUG") == "1" }

type Tracker struct {
	APIServer    string
	HTTPClient   *http.Client
	Namespace    string
	ResourceName string

	Succeeded chan JobStatus
	Failed    chan JobStatus
	Status    chan JobStatus

	State        TrackerState
	lastObject   *Job
	failedReason string

	objectAdded    chan *Job
	objectModified chan *Job
	objectDeleted  chan *Job
	objectFailed   chan interface{}
	errors         chan error
}

func NewTracker(apiServer, name, namespace string) *Tracker {
	return &Tracker{
		APIServer:    apiServer,
		HTTPClient:   &http.Client{},
		Namespace:    namespace,
		ResourceName: name,

		Succeeded: make(chan JobStatus),
		Failed:    make(chan JobStatus),
		Status:    make(chan JobStatus, 100),

		objectAdded:    make(chan *Job),
		objectModified: make(chan *Job),
		objectDeleted:  make(chan *Job),
		objectFailed:   make(chan interface{}, 1),
		errors:         make(chan error, 1),
	}
}

func (job *Tracker) Track(ctx context.Context) error {
	jobInformerCleanupFn, err := job.runInformer(ctx)
	if err != nil {
		return err
	}
	defer jobInformerCleanupFn()

	for {
		select {
		case object := <-job.objectAdded:
			if err := job.handleJobState(ctx, object); err != nil {
				return err
			}
		case object := <-job.objectModified:
			if err := job.handleJobState(ctx, object); err != nil {
				return err
			}
		case failure := <-job.objectFailed:
			switch failure := failure.(type) {
			case string:
				job.State = ResourceFailed
				job.failedReason = failure
				job.Failed <- JobStatus{IsFailed: true, FailedReason: failure}
			default:
				panic(fmt.Errorf("unexpected type %T", failure))
			}

		case <-job.objectDeleted:
			job.State = ResourceDeleted
			job.lastObject = nil
			job.Status <- JobStatus{}

		case <-ctx.Done():
			if debugEnabled() {
				fmt.Printf("Job `%s` tracker context canceled: %s\n", job.ResourceName, context.Cause(ctx))
			}

			return context.Cause(ctx)
		case err := <-job.errors:
			return err
		}
	}
}

// runInformer watches the job through the API server and relays events to the Track loop.
func (job *Tracker) runInformer(ctx context.Context) (cleanupFn func(), err error) {
	url := fmt.Sprintf("%s/apis/batch/v1/namespaces/%s/jobs?watch=1&fieldSelector=metadata.name=%s", job.APIServer, job.Namespace, job.ResourceName)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build watch request: %w", err)
	}
	resp, err := job.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("watch jobs: %w", err)
	}

	go func() {
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		added := false
		for {
			var ev struct {
				Type   string `json:"type"`
				Object Job    `json:"object"`
			}
			if err := dec.Decode(&ev); err != nil {
				select {
				case job.errors <- fmt.Errorf("decode watch event: %w", err):
				default:
				}
				return
			}
			obj := ev.Object
			var ch chan *Job
			switch {
			case ev.Type == "DELETED":
				ch = job.objectDeleted
			case !added:
				added = true
				ch = job.objectAdded
			default:
				ch = job.objectModified
			}
			select {
			case ch <- &obj:
			case <-ctx.Done():
				return
			}
		}
	}()

	return func() { resp.Body.Close() }, nil
}

func (job *Tracker) handleJobState(ctx context.Context, object *Job) error {
	job.lastObject = object

	switch job.State {
	case Initial:
		job.State = ResourceAdded
	}

	if object.Failed > 0 {
		select {
		case job.objectFailed <- "job failed":
		default:
		}
		return nil
	}
	if object.Succeeded > 0 {
		select {
		case job.Succeeded <- JobStatus{IsSucceeded: true}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		return nil
	}
	job.Status <- JobStatus{}
	return nil
}
