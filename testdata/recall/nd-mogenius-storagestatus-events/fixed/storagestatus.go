// Recall case nd-mogenius-storagestatus-events
// Source: github.com/mogenius/mogenius-operator commit f3d0b7e7e1cd30f75ccba47f11841d3659063baf (src/services/storagestatus.go)
// Link: https://github.com/mogenius/mogenius-operator/commit/f3d0b7e7e1cd30f75ccba47f11841d3659063baf
// Bug: getEvents receives the VolumeStatusTimeout-bounded ctx from collectEventsAndUsedByPods but lists Kubernetes events with context.Background(), so the API-server call has no deadline and the goroutine can hang after the caller gave up.
// Fix: The Events(...).List call is passed the caller's ctx instead of context.Background().
// Rule: nodeadline
package services

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// VolumeStatusTimeout in milliseconds.
var VolumeStatusTimeout = 3000

var serviceLogger = slog.Default()

// Event is a reduced v1.Event.
type Event struct {
	Name          string    `json:"name"`
	Reason        string    `json:"reason"`
	LastTimestamp time.Time `json:"lastTimestamp"`
}

type eventList struct {
	Items []Event `json:"items"`
}

// ListOptions is a reduced metav1.ListOptions.
type ListOptions struct {
	FieldSelector string
}

// Clientset is a tiny stand-in for kubernetes.Clientset talking to the API server over HTTP.
type Clientset struct {
	BaseURL string
	HTTP    *http.Client
}

// EventsClient is a stand-in for CoreV1().Events(namespace).
type EventsClient struct {
	cs        *Clientset
	namespace string
}

// Events returns the namespaced events client.
func (c *Clientset) Events(namespace string) *EventsClient {
	return &EventsClient{cs: c, namespace: namespace}
}

// List performs GET /api/v1/namespaces/{ns}/events?fieldSelector=...
func (e *EventsClient) List(ctx context.Context, opts ListOptions) (*eventList, error) {
	u := e.cs.BaseURL + "/api/v1/namespaces/" + e.namespace + "/events?fieldSelector=" + url.QueryEscape(opts.FieldSelector)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.cs.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var l eventList
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Pod is a reduced v1.Pod.
type Pod struct {
	Name    string
	Volumes []string
}

// podStore is a stand-in for store.GetPods (an in-memory informer cache).
var podStore = map[string][]Pod{}

// VolumeStatus is a reduced VolumeStatus.
type VolumeStatus struct {
	Namespace                   string
	PersistentVolumeClaimName   string
	PersistentVolumeName        string
	PersistentVolumeClaimEvents []Event
	PersistentVolumeEvents      []Event
	UsedByPods                  []Pod
	client                      *Clientset
}

func (s *VolumeStatus) collectEventsAndUsedByPods() (*VolumeStatus, error) {
	pvcsEventsChan := make(chan []Event, 1)
	pvsEventsChan := make(chan []Event, 1)
	podsEventsChan := make(chan []string, 1)
	errorChan := make(chan error, 1)

	processedPvcs, processedPvs, processedPods := false, false, false

	var wg sync.WaitGroup

	// Context with timeout to handle cancellation and timeout
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(VolumeStatusTimeout)*time.Millisecond)
	defer cancel()

	wg.Go(func() {
		s.getUsedByPods(ctx, podsEventsChan, errorChan)
	})

	if s.PersistentVolumeClaimName != "" {
		wg.Go(func() {
			s.getEvents(s.PersistentVolumeClaimName, "PersistentVolumeClaim", ctx, pvcsEventsChan, errorChan)
		})
	}

	if s.PersistentVolumeName != "" {
		wg.Go(func() {
			s.getEvents(s.PersistentVolumeName, "PersistentVolume", ctx, pvsEventsChan, errorChan)
		})
	}

	go func() {
		wg.Wait() // Wait for all goroutines to finish.

		// IMPORTANT!: Safely close channel after all sends are done.
		close(podsEventsChan)
		close(pvsEventsChan)
		close(pvcsEventsChan)
		close(errorChan)
	}()

	var chanError error

EventLoop:
	for {
		select {
		case events, ok := <-pvsEventsChan:
			processedPvs = true
			if !ok {
				break
			}
			s.PersistentVolumeEvents = events

		case events, ok := <-pvcsEventsChan:
			processedPvcs = true
			if !ok {
				break
			}
			s.PersistentVolumeClaimEvents = events

		case _, ok := <-podsEventsChan:
			processedPods = true
			if !ok {
				serviceLogger.Debug("Warning Pods event channel closed.")
			}

		case chanError = <-errorChan:
			break EventLoop

		case <-ctx.Done():
			serviceLogger.Debug("Warning timeout waiting for events")
			break EventLoop

		default:
			if processedPvs && processedPvcs && processedPods {
				break EventLoop
			}
			time.Sleep(15 * time.Millisecond)
		}
	}

	if chanError != nil {
		return s, chanError
	}

	return s, nil
}

func (s *VolumeStatus) getEvents(name, kind string, ctx context.Context, channel chan<- []Event, errChannel chan<- error) {
	if s.client == nil {
		errChannel <- fmt.Errorf("client is not set")
		return
	}

	fieldSelector := fmt.Sprintf("involvedObject.name=%s,involvedObject.kind=%s", name, kind)
	eventList, err := s.client.Events(s.Namespace).List(ctx, ListOptions{
		FieldSelector: fieldSelector,
	})

	if err != nil {
		errChannel <- err
		return
	}

	events := eventList.Items

	sort.SliceStable(events, func(i, j int) bool {
		return events[i].LastTimestamp.After(events[j].LastTimestamp)
	})

	// Push the events into the channel
	select {
	case <-ctx.Done():
		serviceLogger.Debug("Async: timeout waiting for events", "kind", kind)
		return
	case channel <- events:
		serviceLogger.Debug("Async: push the events into the channel", "kind", kind)
	}
}

func (s *VolumeStatus) getUsedByPods(ctx context.Context, channel chan<- []string, errChannel chan<- error) {
	if s.client == nil {
		errChannel <- fmt.Errorf("client is not set")
		return
	}

	if s.Namespace == "" {
		errChannel <- fmt.Errorf("namespace is not set")
		return
	}

	pods := podStore[s.Namespace]

	prefix := "nfs-server-pod-"

	var usedBy []string
	for _, pod := range pods {
		for _, claim := range pod.Volumes {
			nonPrefixName := strings.TrimPrefix(claim, prefix)
			prefixName := prefix + nonPrefixName
			if s.PersistentVolumeClaimName == prefixName {
				usedBy = append(usedBy, pod.Name)
				s.UsedByPods = append(s.UsedByPods, pod)
			}
		}
	}

	// Push the events into the channel
	select {
	case <-ctx.Done():
		serviceLogger.Debug("Async: timeout waiting for pods")
		return
	case channel <- usedBy:
		serviceLogger.Debug("Async: push pods into the channel")
	}
}
