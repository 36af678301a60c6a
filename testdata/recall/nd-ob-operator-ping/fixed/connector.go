// Recall case nd-ob-operator-ping
// Source: github.com/oceanbase/ob-operator commit 14bf9934f672d41557f351c0f6595ab9d0421e19 (pkg/database/connector.go)
// Link: https://github.com/oceanbase/ob-operator/commit/14bf9934f672d41557f351c0f6595ab9d0421e19
// Bug: Connector.Init and Connector.IsAlive call db.Ping() with no context, so a stalled OceanBase/MySQL endpoint blocks the reconcile loop indefinitely.
// Fix: Ping through PingContext with a context.WithTimeout(context.Background(), DefaultPingTimeoutSeconds).
// Rule: nodeadline
package database

import (
	"context"
	"database/sql"
	"fmt"
)

// DataSource represents a data source.
type DataSource interface {
	ID() string
	DriverName() string
	DataSourceName() string
	String() string
}

// Client represents a wrapper around sql.DB (sqlx.DB upstream).
type Client struct {
	*sql.DB
}

const (
	DefaultConnMaxOpenCount = 1
	DefaultConnMaxIdleCount = 1
	DefaultConnMaxLifetime  = 0
	DefaultConnMaxIdleTime  = 0

	DefaultPingTimeoutSeconds = 3
)

// Connector represents a connection pool.
type Connector struct {
	ds     DataSource
	client *Client
}

func (c *Client) configure() {
	c.SetMaxOpenConns(DefaultConnMaxOpenCount)
	c.SetMaxIdleConns(DefaultConnMaxIdleCount)
	c.SetConnMaxLifetime(DefaultConnMaxLifetime)
	c.SetConnMaxIdleTime(DefaultConnMaxIdleTime)
}

func NewConnector(dataSource DataSource) *Connector {
	return &Connector{ds: dataSource}
}

func (c *Connector) Init() error {
	db, err := sql.Open(c.ds.DriverName(), c.ds.DataSourceName())
	if err != nil {
		return fmt.Errorf("Open datasource %s: %w", c.ds.String(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultPingTimeoutSeconds)
	defer cancel()
	err = db.PingContext(ctx)
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("Ping datasource %s: %w", c.ds.String(), err)
	}
	c.client = &Client{db}
	c.client.configure()
	return nil
}

func (c *Connector) IsAlive() bool {
	if c.client == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultPingTimeoutSeconds)
	defer cancel()
	return c.client.PingContext(ctx) == nil
}

func (c *Connector) GetClient() *Client {
	return c.client
}

func (c *Connector) Close() error {
	if c.client.DB != nil {
		return c.client.DB.Close()
	}
	return nil
}
