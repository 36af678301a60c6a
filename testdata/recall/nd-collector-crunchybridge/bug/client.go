// Recall case nd-collector-crunchybridge
// Source: github.com/pganalyze/collector commit 44bb41046d816d6b478861d2bb9684154a5fce10 (input/system/crunchy_bridge/client.go)
// Link: https://github.com/pganalyze/collector/commit/44bb41046d816d6b478861d2bb9684154a5fce10
// Bug: the Crunchy Bridge API client's NewRequest helper uses http.NewRequest (no context), so GetClusterInfo/getMetrics calls made from the ctx-carrying snapshot collection cannot be cancelled when the API stalls.
// Fix: NewRequest, GetClusterInfo, getMetrics, GetDiskUsageMetrics and GetSystemState take a ctx and the helper uses http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package crunchy_bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

const apiBaseURL = "https://api.crunchybridge.com"

type Client struct {
	http.Client

	BaseURL     string
	BearerToken string
	ClusterID   string
}

type ClusterInfo struct {
	CPU     int32  `json:"cpu"`
	Name    string `json:"name"`
	PlanID  string `json:"plan_id"`
	Storage int32  `json:"storage"`
}

type MetricViews struct {
	Name   string         `json:"name"`
	Series []MetricSeries `json:"series"`
}

type MetricSeries struct {
	Name   string        `json:"name"`
	Points []MetricPoint `json:"points"`
}

type MetricPoint struct {
	Time  string  `json:"time"`
	Value float64 `json:"value"`
}

type DiskUsageMetrics struct {
	DatabaseSize uint64
	WalSize      uint64
}

func (c *Client) NewRequest(method string, path string) (*http.Request, error) {
	req, err := http.NewRequest(method, c.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}

	req.Header.Set("Authorization", "Bearer "+c.BearerToken)
	req.Header.Add("Accept", "application/json")
	return req, nil
}

func (c *Client) GetClusterInfo() (*ClusterInfo, error) {
	req, err := c.NewRequest("GET", "/clusters/"+c.ClusterID)
	if err != nil {
		return nil, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}

	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		return nil, err
	}

	clusterInfo := ClusterInfo{}
	err = json.Unmarshal(body, &clusterInfo)
	if err != nil {
		return nil, err
	}
	return &clusterInfo, err
}

func (c *Client) getMetrics(name string) (*MetricViews, error) {
	req, err := c.NewRequest("GET", fmt.Sprintf("/metric-views/%s?cluster_id=%s&period=15m", name, c.ClusterID))
	if err != nil {
		return nil, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}

	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		return nil, err
	}

	metricViews := MetricViews{}
	err = json.Unmarshal(body, &metricViews)
	if err != nil {
		return nil, err
	}

	return &metricViews, nil
}

func (c *Client) GetDiskUsageMetrics() (*DiskUsageMetrics, error) {
	metricViews, err := c.getMetrics("disk-usage")
	if err != nil {
		return nil, err
	}
	metrics := DiskUsageMetrics{}
	for _, series := range metricViews.Series {
		if len(series.Points) == 0 {
			continue
		}
		value := uint64(series.Points[len(series.Points)-1].Value)
		switch series.Name {
		case "database_size":
			metrics.DatabaseSize = value
		case "wal_size":
			metrics.WalSize = value
		}
	}
	return &metrics, err
}

// ServerConfig / SystemState are reduced stand-ins for the collector's state types.
type ServerConfig struct {
	HTTPClientWithRetry    *http.Client
	CrunchyBridgeAPIKey    string
	CrunchyBridgeClusterID string
}

type SystemState struct {
	ClusterName   string
	UsedBytes     uint64
	XlogUsedBytes uint64
}

// GetSystemState - Gets system information about a Crunchy Bridge instance
func GetSystemState(config *ServerConfig) (system SystemState, err error) {
	if config.CrunchyBridgeAPIKey == "" {
		return
	}
	client := Client{Client: *config.HTTPClientWithRetry, BaseURL: apiBaseURL, BearerToken: config.CrunchyBridgeAPIKey, ClusterID: config.CrunchyBridgeClusterID}

	clusterInfo, err := client.GetClusterInfo()
	if err != nil {
		return system, err
	}
	system.ClusterName = clusterInfo.Name

	diskUsageMetrics, err := client.GetDiskUsageMetrics()
	if err != nil {
		return system, err
	}
	system.UsedBytes = diskUsageMetrics.DatabaseSize
	system.XlogUsedBytes = diskUsageMetrics.WalSize
	return system, nil
}

// CollectFull is the ctx-carrying caller (input/full.go).
func CollectFull(ctx context.Context, config *ServerConfig, collectSystemInformation bool) (SystemState, error) {
	if err := ctx.Err(); err != nil {
		return SystemState{}, err
	}
	if collectSystemInformation {
		return GetSystemState(config)
	}
	return SystemState{}, nil
}
