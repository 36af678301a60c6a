// Recall case nd-zot-sync-catalog
// Source: github.com/project-zot/zot commit 566286ae422167c2926c4713d4ce9c3aa92170fa (pkg/extensions/sync/service.go)
// Link: https://github.com/project-zot/zot/commit/566286ae422167c2926c4713d4ce9c3aa92170fa
// Bug: periodic sync TaskGenerator.Next -> BaseService.GetNextRepo calls remote.GetRepositories(context.Background()) and newClient builds the regclient with no http.Client timeout, so the catalog request in getRepoList/RepoList can hang forever.
// Fix: newClient now gives regclient an http.Client with Timeout: opts.SyncTimeout (default 3h) and a transport with ResponseHeaderTimeout (default 30s).
// Rule: nodeadline
package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ---------------- pkg/extensions/config/sync/config.go ----------------

type RegistryConfig struct {
	URLs        []string
	SyncTimeout time.Duration // timeout for on-demand sync operations; if zero or unset, defaults to 3 hours
}

// ---------------- pkg/extensions/sync/sync.go ----------------

type Service interface {
	GetNextRepo(lastRepo string) (string, error) // used by task scheduler
}

type TaskGenerator struct {
	Service  Service
	lastRepo string
	done     bool
	lock     *sync.Mutex
}

func NewTaskGenerator(service Service) *TaskGenerator {
	return &TaskGenerator{Service: service, lock: &sync.Mutex{}}
}

// Next is called by the task scheduler to produce the next periodic sync task.
func (gen *TaskGenerator) Next() (string, error) {
	gen.lock.Lock()
	defer gen.lock.Unlock()

	repo, err := gen.Service.GetNextRepo(gen.lastRepo)
	if err != nil {
		return "", err
	}

	if repo == "" {
		gen.done = true

		return "", nil
	}

	gen.lastRepo = repo

	return repo, nil
}

// ---------------- pkg/extensions/sync/service.go ----------------

type BaseService struct {
	config       RegistryConfig
	clientLock   sync.RWMutex
	rc           *RegClient
	hosts        []string
	remote       *RemoteRegistry
	repositories []string
}

func New(opts RegistryConfig) (*BaseService, error) {
	service := &BaseService{config: opts}
	if err := service.init(); err != nil {
		return nil, err
	}

	return service, nil
}

func (service *BaseService) init() error {
	service.clientLock.Lock()
	defer service.clientLock.Unlock()

	client, hosts, err := newClient(service.config)
	if err != nil {
		return err
	}

	service.rc = client
	service.hosts = hosts
	service.remote = NewRemoteRegistry(service.rc, service.hosts)

	return nil
}

func (service *BaseService) getNextRepoFromCatalog(lastRepo string) string {
	var found bool

	var nextRepo string

	for _, repo := range service.repositories {
		if lastRepo == "" {
			nextRepo = repo

			break
		}

		if repo == lastRepo {
			found = true

			continue
		}

		if found {
			nextRepo = repo

			break
		}
	}

	return nextRepo
}

func (service *BaseService) GetNextRepo(lastRepo string) (string, error) {
	var err error

	if len(service.repositories) == 0 {
		service.clientLock.RLock()
		service.repositories, err = service.remote.GetRepositories(context.Background())
		service.clientLock.RUnlock()

		if err != nil {
			return "", err
		}
	}

	return service.getNextRepoFromCatalog(lastRepo), nil
}

func newClient(opts RegistryConfig) (*RegClient, []string, error) {
	hosts := make([]string, 0, len(opts.URLs))

	for _, raw := range opts.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, nil, err
		}

		hosts = append(hosts, u.Host)
	}

	if len(hosts) == 0 {
		return nil, nil, fmt.Errorf("no sync URLs")
	}

	regOpts := []RegOpts{}

	client := NewRegClient(regOpts...)

	return client, hosts, nil
}

// ---------------- pkg/extensions/sync/remote.go ----------------

type RemoteRegistry struct {
	client *RegClient
	hosts  []string
}

func NewRemoteRegistry(client *RegClient, hosts []string) *RemoteRegistry {
	return &RemoteRegistry{client: client, hosts: hosts}
}

func (registry *RemoteRegistry) GetRepositories(ctx context.Context) ([]string, error) {
	var err error

	var repoList []string

	for _, host := range registry.hosts {
		repoList, err = registry.getRepoList(ctx, host)
		if err != nil {
			continue
		}

		return repoList, nil
	}

	return []string{}, err
}

func (registry *RemoteRegistry) getRepoList(ctx context.Context, hostname string) ([]string, error) {
	repositories := []string{}

	last := ""

	for {
		repoList, err := registry.client.RepoList(ctx, hostname, last)
		if err != nil {
			return repositories, err
		}

		if len(repoList) == 0 || last == repoList[len(repoList)-1] {
			break
		}

		repositories = append(repositories, repoList...)

		last = repoList[len(repoList)-1]
	}

	return repositories, nil
}

// ---------------- stub of github.com/regclient/regclient ----------------

// RegOpts mirrors reg.Opts.
type RegOpts func(*RegClient)

// WithHTTPClient mirrors reg.WithHTTPClient.
func WithHTTPClient(c *http.Client) RegOpts {
	return func(rc *RegClient) { rc.httpClient = c }
}

// RegClient mirrors regclient.RegClient: without WithHTTPClient it uses a
// plain http.Client (no Timeout) on http.DefaultTransport.
type RegClient struct {
	httpClient *http.Client
}

func NewRegClient(opts ...RegOpts) *RegClient {
	rc := &RegClient{httpClient: &http.Client{Transport: http.DefaultTransport}}
	for _, opt := range opts {
		opt(rc)
	}

	return rc
}

// RepoList mirrors regclient.RepoList: GET /v2/_catalog made with ctx.
func (rc *RegClient) RepoList(ctx context.Context, hostname, last string) ([]string, error) {
	u := url.URL{Scheme: "https", Host: hostname, Path: "/v2/_catalog"}
	if last != "" {
		u.RawQuery = url.Values{"last": []string{last}}.Encode()
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}

	resp, err := rc.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("catalog %s: %s", hostname, resp.Status)
	}

	var body struct {
		Repositories []string `json:"repositories"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}

	return body.Repositories, nil
}
