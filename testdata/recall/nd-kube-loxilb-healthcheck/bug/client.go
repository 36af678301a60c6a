// Recall case nd-kube-loxilb-healthcheck
// Source: github.com/loxilb-io/kube-loxilb commit 06348dd109f49f59304a60078c77a0171cad2d8e (pkg/api/client.go)
// Link: https://github.com/loxilb-io/kube-loxilb/commit/06348dd109f49f59304a60078c77a0171cad2d8e
// Bug: The periodic loxilb health check calls HealthCheck().Get(context.Background(), "") over an http.Client without Timeout, so a hung loxilb API blocks the health-check loop forever and the LB is never declared dead.
// Fix: Each health-check iteration uses a context.WithTimeout(context.Background(), 3s) and cancels it afterwards.
// Rule: nodeadline
package api

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"path"
	"time"
)

// RESTClient is a reduced loxilb REST client.
type RESTClient struct {
	baseURL *url.URL
	client  *http.Client
}

// LoxiRequest is a reduced request builder.
type LoxiRequest struct {
	method      string
	resource    string
	subresource string
	client      *RESTClient
}

// LoxiResponse is a reduced response.
type LoxiResponse struct {
	err        error
	statusCode int
	body       []byte
}

// GET starts a GET request.
func (r *RESTClient) GET(resource string) *LoxiRequest {
	return &LoxiRequest{method: http.MethodGet, resource: resource, client: r}
}

// SubResource sets the sub resource.
func (l *LoxiRequest) SubResource(subresources ...string) *LoxiRequest {
	l.subresource = path.Join(subresources...)
	return l
}

// Do performs the request with the given context.
func (l *LoxiRequest) Do(ctx context.Context) *LoxiResponse {
	u := *l.client.baseURL
	u.Path = path.Join("/netlox/v1", l.resource, l.subresource)
	req, err := http.NewRequestWithContext(ctx, l.method, u.String(), nil)
	if err != nil {
		return &LoxiResponse{err: err}
	}
	resp, err := l.client.client.Do(req)
	if err != nil {
		return &LoxiResponse{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return &LoxiResponse{err: err, statusCode: resp.StatusCode, body: body}
}

// HealthCheckAPI is the loxilb health API.
type HealthCheckAPI struct {
	resource string
	client   *RESTClient
}

// Get checks loxilb health.
func (h *HealthCheckAPI) Get(ctx context.Context, name string) (any, error) {
	resp := h.client.GET(h.resource).SubResource(name).Do(ctx)
	if resp.err != nil {
		return nil, resp.err
	}
	return nil, nil
}

// LoxiZoneInst is a zone instance role.
type LoxiZoneInst struct {
	MasterLB bool
}

// LoxiClient is a reduced loxilb client.
type LoxiClient struct {
	RestClient *RESTClient
	InstRoles  map[string]*LoxiZoneInst
	Url        string
	Host       string
	Port       string
	IsAlive    bool
	DeadSigTs  time.Time
	Stop       chan struct{}
}

// NewLoxiClient creates a client and starts its health check.
func NewLoxiClient(apiServer string, aliveCh chan *LoxiClient, deadCh chan struct{}) (*LoxiClient, error) {
	base, err := url.Parse(apiServer)
	if err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(base.Host)
	if err != nil {
		return nil, fmt.Errorf("failed to parse host,port %s: %w", base.Host, err)
	}
	lc := &LoxiClient{
		RestClient: &RESTClient{baseURL: base, client: &http.Client{}},
		InstRoles:  map[string]*LoxiZoneInst{"default": {}},
		Url:        apiServer,
		Host:       host,
		Port:       port,
		Stop:       make(chan struct{}),
		DeadSigTs:  time.Now(),
	}
	lc.StartLoxiHealthCheckChan(aliveCh, deadCh)
	return lc, nil
}

// HealthCheck returns the health API.
func (l *LoxiClient) HealthCheck() *HealthCheckAPI {
	return &HealthCheckAPI{resource: "", client: l.RestClient}
}

// LoxiClientHasMaterInst reports whether any instance is master.
func (l *LoxiClient) LoxiClientHasMaterInst() bool {
	for _, val := range l.InstRoles {
		if val.MasterLB {
			return true
		}
	}
	return false
}

// until is a stand-in for k8s.io/apimachinery/pkg/util/wait.Until.
func until(f func(), period time.Duration, stopCh <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stopCh:
			return
		default:
		}
		f()
		select {
		case <-stopCh:
			return
		case <-t.C:
		}
	}
}

// StartLoxiHealthCheckChan starts the periodic health check.
func (l *LoxiClient) StartLoxiHealthCheckChan(aliveCh chan *LoxiClient, deadCh chan struct{}) {
	l.IsAlive = false

	go until(func() {
		if _, err := l.HealthCheck().Get(context.Background(), ""); err != nil {
			if l.IsAlive {
				log.Printf("LoxiHealthCheckChan: loxilb-lb(%s) is down", l.Host)
				l.IsAlive = false
				if time.Duration(time.Since(l.DeadSigTs).Seconds()) >= 3 && l.LoxiClientHasMaterInst() {
					log.Printf("LoxiHealthCheckChan: loxilb-lb(%s) master down", l.Host)
					l.DeadSigTs = time.Now()
					deadCh <- struct{}{}
				} else {
					l.DeadSigTs = time.Now()
				}
			}
		} else {
			if !l.IsAlive {
				log.Printf("LoxiHealthCheckChan: loxilb-lb(%s) is alive", l.Host)
				l.IsAlive = true
				aliveCh <- l
			}
		}
	}, time.Second*2, l.Stop)
}

// StopLoxiHealthCheckChan stops the health check.
func (l *LoxiClient) StopLoxiHealthCheckChan() {
	l.Stop <- struct{}{}
}
