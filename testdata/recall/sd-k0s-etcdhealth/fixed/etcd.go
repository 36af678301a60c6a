// Recall case sd-k0s-etcdhealth
// Source: github.com/k0sproject/k0s commit a0b61725f5261109d230a2170650de3395bb7c41 (pkg/component/controller/etcd.go)
// Link: https://github.com/k0sproject/k0s/commit/a0b61725f5261109d230a2170650de3395bb7c41
// Bug: The etcd component's Healthy() check starts a fresh 1s budget from context.Background(), ignoring the component's run context passed to Run(ctx), so health probes keep running (and are not cancelled) when the component is being shut down.
// Fix: Remember the Run ctx in the struct (e.ctx) and derive the health-check timeout from it.
// Rule: sharedeadline
package controller

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// etcdClient is a stand-in for k0s' pkg/etcd client.
type etcdClient struct {
	http     *http.Client
	endpoint string
}

func NewClient(certDir string, etcdCertDir string) (*etcdClient, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(certDir, "apiserver-etcd-client.crt"), filepath.Join(certDir, "apiserver-etcd-client.key"))
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(filepath.Join(etcdCertDir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tr := &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}}
	return &etcdClient{http: &http.Client{Transport: tr, Timeout: 5 * time.Second}, endpoint: "https://127.0.0.1:2379"}, nil
}

func (c *etcdClient) Health(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/health", nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("etcd not healthy: %s", resp.Status)
	}
	return nil
}

// CheckEtcdReady returns nil if etcd responds to the health endpoint with a status code of 200
func CheckEtcdReady(ctx context.Context, certDir string, etcdCertDir string) error {
	c, err := NewClient(certDir, etcdCertDir)
	if err != nil {
		return err
	}
	return c.Health(ctx)
}

// Etcd implement the component interface to run etcd
type Etcd struct {
	CertRootDir string
	EtcdCertDir string
	external    bool
	ctx         context.Context
}

// Run runs etcd if external cluster is not configured
func (e *Etcd) Run(ctx context.Context) error {
	e.ctx = ctx
	if e.external {
		return nil
	}
	// ... supervisor start of the etcd process elided ...
	return ctx.Err()
}

// Health-check interface
func (e *Etcd) Healthy() error {
	ctx, cancel := context.WithTimeout(e.ctx, 1*time.Second)
	defer cancel()
	err := CheckEtcdReady(ctx, e.CertRootDir, e.EtcdCertDir)
	return err
}
