// Recall case sd-cloud-on-k8s-observer
// Source: github.com/elastic/cloud-on-k8s commit 180210427177dbf1046417e08be4a8d92c2ce2f1 (pkg/controller/elasticsearch/observer/observer.go)
// Link: https://github.com/elastic/cloud-on-k8s/commit/180210427177dbf1046417e08be4a8d92c2ce2f1
// Bug: Observer.observe starts a fresh budget with context.WithTimeout(context.Background(), interval) even when it runs synchronously inside Manager.Observe(ctx, ...) during reconciliation, so the cluster health request ignores the reconcile ctx's cancellation and deadline.
// Fix: observe takes a ctx parameter and derives its timeout from it; Manager.Observe passes its ctx for the synchronous observation (the periodic loop passes context.Background()).
// Rule: sharedeadline
package observer

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"sync"
	"time"
)

// Health is a stand-in for esv1.ElasticsearchHealth.
type Health string

const UnknownHealth Health = "unknown"

// Settings for the Observer configuration
type Settings struct {
	ObservationInterval time.Duration
}

// defaultObservationTimeout is the default timeout for an observation. The observer uses the observation interval as a timeout.
const defaultObservationTimeout = 10 * time.Second

// Client is a reduced stand-in for the Elasticsearch client.
type Client struct {
	URL  string
	HTTP *http.Client
}

// GetClusterHealth calls GET /_cluster/health.
func (c *Client) GetClusterHealth(ctx context.Context) (Health, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/_cluster/health", nil)
	if err != nil {
		return UnknownHealth, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return UnknownHealth, err
	}
	defer resp.Body.Close()
	var body struct {
		Status Health `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return UnknownHealth, err
	}
	return body.Status, nil
}

// Observer regularly requests an ES endpoint for cluster state,
// in a thread-safe way
type Observer struct {
	cluster    string
	esClient   *Client
	settings   Settings
	stopChan   chan struct{}
	stopOnce   sync.Once
	lastHealth Health
	mutex      sync.RWMutex
}

// NewObserver creates an Observer
func NewObserver(cluster string, esClient *Client, settings Settings) *Observer {
	return &Observer{
		cluster:    cluster,
		esClient:   esClient,
		settings:   settings,
		stopChan:   make(chan struct{}),
		lastHealth: UnknownHealth,
	}
}

// Start starts periodic observations in a separate goroutine.
// The initial synchronous observation is done by the caller.
func (o *Observer) Start() {
	if o.settings.ObservationInterval <= 0 {
		return // asynchronous observations are effectively disabled
	}
	// periodic asynchronous observations
	go func() {
		ticker := time.NewTicker(o.settings.ObservationInterval)
		defer ticker.Stop()

		for {
			select {
			case <-ticker.C:
				o.observe(context.Background())
			case <-o.stopChan:
				return
			}
		}
	}()
}

// observe retrieves the current ES state and stores the new state
func (o *Observer) observe(ctx context.Context) {
	ctx, cancelFunc := context.WithTimeout(ctx, nonNegativeTimeout(o.settings.ObservationInterval))
	defer cancelFunc()

	newHealth := retrieveHealth(ctx, o.cluster, o.esClient)

	o.mutex.Lock()
	o.lastHealth = newHealth
	o.mutex.Unlock()
}

// Stop the observer loop
func (o *Observer) Stop() {
	o.stopOnce.Do(func() {
		close(o.stopChan)
	})
}

// LastHealth returns the last observed state
func (o *Observer) LastHealth() Health {
	o.mutex.RLock()
	defer o.mutex.RUnlock()
	return o.lastHealth
}

func nonNegativeTimeout(observationInterval time.Duration) time.Duration {
	if observationInterval <= 0 {
		return defaultObservationTimeout
	}
	return observationInterval
}

// retrieveHealth returns the current Elasticsearch cluster health
func retrieveHealth(ctx context.Context, cluster string, esClient *Client) Health {
	health, err := esClient.GetClusterHealth(ctx)
	if err != nil {
		log.Printf("Unable to retrieve cluster health for %s: %v", cluster, err)
		return UnknownHealth
	}
	return health
}

// Manager for a set of observers
type Manager struct {
	defaultInterval time.Duration
	observerLock    sync.RWMutex
	observers       map[string]*Observer
}

func (m *Manager) getObserver(key string) (*Observer, bool) {
	m.observerLock.RLock()
	defer m.observerLock.RUnlock()
	observer, ok := m.observers[key]
	return observer, ok
}

// Observe gets or create a cluster state observer for the given cluster
func (m *Manager) Observe(ctx context.Context, cluster string, esClient *Client, settings Settings) *Observer {
	observer, exists := m.getObserver(cluster)

	switch {
	case !exists:
		// This cluster has not being observed yet, create the observer and do a first observation.
		observer = m.createOrReplaceObserver(ctx, cluster, settings, esClient)
	case exists && observer.settings != settings:
		observer = m.createOrReplaceObserver(ctx, cluster, settings, esClient)
	case exists && settings.ObservationInterval <= 0:
		// in case asynchronous observation has been disabled ensure at least one observation at reconciliation time.
		return m.getAndObserveSynchronously(ctx, cluster)
	default:
		return observer
	}

	if !exists {
		// there was no existing observer: let's try an initial synchronous observation
		observer.observe(ctx)
	}
	// start the new observer
	observer.Start()
	return observer
}

// createOrReplaceObserver creates a new observer and adds it to the observers map, replacing existing observers if necessary.
// The new observer is not started, it is up to the caller to invoke observer.Start()
func (m *Manager) createOrReplaceObserver(ctx context.Context, cluster string, settings Settings, esClient *Client) *Observer {
	m.observerLock.Lock()
	defer m.observerLock.Unlock()

	observer, exists := m.observers[cluster]
	if exists {
		observer.Stop()
		delete(m.observers, cluster)
	}

	observer = NewObserver(cluster, esClient, settings)
	m.observers[cluster] = observer
	return observer
}

// getAndObserveSynchronously retrieves the currently configured observer and trigger a synchronous observation.
func (m *Manager) getAndObserveSynchronously(ctx context.Context, cluster string) *Observer {
	m.observerLock.RLock()
	defer m.observerLock.RUnlock()

	observer := m.observers[cluster]
	// force a synchronous observation
	observer.observe(ctx)
	return observer
}
