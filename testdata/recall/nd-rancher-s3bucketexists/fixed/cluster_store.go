// Recall case nd-rancher-s3bucketexists
// Source: github.com/rancher/rancher commit b6bbdc7df7f2e7e82700d52a3603007d56946363 (pkg/api/norman/store/cluster/cluster_store.go)
// Link: https://github.com/rancher/rancher/commit/b6bbdc7df7f2e7e82700d52a3603007d56946363
// Bug: Store.Create holds r.mu and calls validateS3Credentials, which calls s3Client.BucketExists(context.TODO(), bucket) on a minio client with no timeout, so an unreachable S3 endpoint blocks cluster creation indefinitely.
// Fix: thread apiContext.Request.Context() into validateS3Credentials and wrap BucketExists in context.WithTimeout(ctx, s3-bucket-check-timeout=30s).
// Rule: nodeadline
package cluster

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// --- stubs for norman / rke types ---

type APIContext struct {
	Request *http.Request
}

type S3BackupConfig struct {
	AccessKey string
	SecretKey string
	Endpoint  string
	Region    string
	CustomCA  string
}

// Dialer mirrors rancher's dialer.Dialer.
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// --- stub of minio-go: http.Client without Timeout, request bound to ctx, as in minio-go ---

type minioClient struct {
	endpoint   string
	httpClient *http.Client
}

func newMinio(endpoint string, tr http.RoundTripper) *minioClient {
	return &minioClient{endpoint: endpoint, httpClient: &http.Client{Transport: tr}}
}

// BucketExists issues a HEAD request for the bucket, like minio-go's BucketExists.
func (c *minioClient) BucketExists(ctx context.Context, bucket string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, "https://"+c.endpoint+"/"+bucket+"/", nil)
	if err != nil {
		return false, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("unexpected status %s", resp.Status)
	}
	return true, nil
}

const s3Endpoint = "s3.amazonaws.com"

// GetS3Client mirrors etcdbackup.GetS3Client (the timeout argument is unused upstream too).
func GetS3Client(sbc *S3BackupConfig, timeout int, dialer Dialer) (*minioClient, error) {
	if sbc == nil {
		return nil, fmt.Errorf("Can't find S3 backup target configuration")
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
	endpoint := sbc.Endpoint
	if endpoint == "" {
		endpoint = s3Endpoint
	}
	return newMinio(endpoint, tr), nil
}

// --- reduced rancher code ---

const s3TransportTimeout = 10

// Setting mirrors settings.Setting.
type Setting struct{ value string }

func (s Setting) Get() string { return s.value }

// S3BucketCheckTimeout is the timeout for checking if an s3 bucket for etcd backups exists,
// in the go duration string format.
var S3BucketCheckTimeout = Setting{value: "30s"}

type Store struct {
	mu sync.Mutex
}

func getValue(data map[string]interface{}, keys ...string) interface{} {
	var cur interface{} = data
	for _, k := range keys {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func toString(v interface{}) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func (r *Store) Create(apiContext *APIContext, data map[string]interface{}) (map[string]interface{}, error) {
	name := toString(data["name"])
	if name == "" {
		return nil, fmt.Errorf("missing cluster name")
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	if err := validateS3Credentials(apiContext.Request.Context(), data, nil); err != nil {
		return nil, err
	}
	return data, nil
}

func validateS3Credentials(ctx context.Context, data map[string]interface{}, dialer Dialer) error {
	s3BackupConfig := getValue(data, "rancherKubernetesEngineConfig", "services", "etcd", "backupConfig", "s3BackupConfig")
	if s3BackupConfig == nil {
		return nil
	}
	configMap, _ := s3BackupConfig.(map[string]interface{})
	sbc := &S3BackupConfig{
		AccessKey: toString(configMap["accessKey"]),
		SecretKey: toString(configMap["secretKey"]),
		Endpoint:  toString(configMap["endpoint"]),
		Region:    toString(configMap["region"]),
		CustomCA:  toString(configMap["customCa"]),
	}
	// skip if we don't have credentials defined.
	if sbc.AccessKey == "" && sbc.SecretKey == "" {
		return nil
	}
	bucket := toString(configMap["bucketName"])
	if bucket == "" {
		return fmt.Errorf("Empty bucket name")
	}
	s3Client, err := GetS3Client(sbc, s3TransportTimeout, dialer)
	if err != nil {
		return err
	}

	timeout, err := time.ParseDuration(S3BucketCheckTimeout.Get())
	if err != nil {
		timeout = 30 * time.Second
		log.Printf("cluster store: could not parse S3 bucket check timeout, using 30s: %v", err)
	}

	timeoutCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	exists, err := s3Client.BucketExists(timeoutCtx, bucket)
	if err != nil {
		return fmt.Errorf("Unable to validate S3 backup target configuration: %v", err)
	}
	if !exists {
		return fmt.Errorf("Unable to validate S3 backup target configuration: bucket [%v] not found", bucket)
	}
	return nil
}
