// Recall case sc-authelia-pool-acquire
// Source: github.com/authelia/authelia commit 4b45d48d3c0e737241e95776a4271763527eabb2 (internal/authentication/ldap_client_factory.go)
// Link: https://github.com/authelia/authelia/commit/4b45d48d3c0e737241e95776a4271763527eabb2
// Bug: PooledLDAPClientFactory.acquire returns fmt.Errorf("...: %w", err) on <-ctx.Done() with the unrelated (usually nil) err, dropping the context.DeadlineExceeded from the pool timeout.
// Fix: wrap ctx.Err() instead so the pool-timeout deadline error is preserved for callers.
// Rule: swallowcancel
package ldappool

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// ldapClient is a stand-in for the go-ldap client: a connection to the LDAP server.
type ldapClient struct {
	conn    net.Conn
	closing bool
}

func (c *ldapClient) IsClosing() bool { return c.closing }

func (c *ldapClient) Close() error {
	c.closing = true
	return c.conn.Close()
}

// dialLDAP stands in for ldap.DialURL with ldap.DialWithDialer(&net.Dialer{Timeout: config.Timeout}).
func dialLDAP(address string, timeout time.Duration) (*ldapClient, error) {
	d := &net.Dialer{Timeout: timeout}
	conn, err := d.Dial("tcp", address)
	if err != nil {
		return nil, err
	}
	return &ldapClient{conn: conn}, nil
}

type PoolingConfig struct {
	Count   int
	Timeout time.Duration
}

type LDAPConfig struct {
	Address string
	Timeout time.Duration
	Pooling PoolingConfig
}

// LDAPClientPooled is a decorator for the ldap client which handles the pooling functionality.
type LDAPClientPooled struct {
	*ldapClient
}

type PooledLDAPClientFactory struct {
	config *LDAPConfig

	pool chan *LDAPClientPooled
	mu   sync.Mutex

	sleep time.Duration

	closing bool
}

func NewPooledLDAPClientFactory(config *LDAPConfig) *PooledLDAPClientFactory {
	return &PooledLDAPClientFactory{config: config, sleep: time.Second}
}

func (f *PooledLDAPClientFactory) Initialize() (err error) {
	if f.pool != nil {
		return nil
	}

	f.pool = make(chan *LDAPClientPooled, f.config.Pooling.Count)

	var (
		errs   []error
		client *LDAPClientPooled
	)

	for i := 0; i < f.config.Pooling.Count; i++ {
		if client, err = f.new(); err != nil {
			errs = append(errs, err)

			continue
		}

		f.pool <- client
	}

	if len(errs) == f.config.Pooling.Count {
		return fmt.Errorf("errors occurred initializing the client pool: no connections could be established")
	}

	return nil
}

// GetClient opens new client using the pool.
func (f *PooledLDAPClientFactory) GetClient() (conn *LDAPClientPooled, err error) {
	return f.acquire(context.Background())
}

func (f *PooledLDAPClientFactory) new() (pooled *LDAPClientPooled, err error) {
	var client *ldapClient

	if client, err = dialLDAP(f.config.Address, f.config.Timeout); err != nil {
		return nil, fmt.Errorf("error occurred establishing new client for the pool: %w", err)
	}

	return &LDAPClientPooled{ldapClient: client}, nil
}

func (f *PooledLDAPClientFactory) acquire(ctx context.Context) (client *LDAPClientPooled, err error) {
	f.mu.Lock()

	defer f.mu.Unlock()

	if f.closing {
		return nil, fmt.Errorf("error acquiring client: the pool is closed")
	}

	if cap(f.pool) != f.config.Pooling.Count {
		if err = f.Initialize(); err != nil {
			return nil, fmt.Errorf("error acquiring client: failed to initialize pool: %w", err)
		}
	}

	ctx, cancel := context.WithTimeout(ctx, f.config.Pooling.Timeout)
	defer cancel()

	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("error acquiring client: %w", ctx.Err())
		case client = <-f.pool:
			if client.IsClosing() || client.ldapClient == nil {
				if client, err = f.new(); err != nil {
					time.Sleep(f.sleep)

					continue
				}
			}

			return client, nil
		}
	}
}
