// Recall case tl-weaviate-s3-listing
// Source: github.com/weaviate/weaviate commit bd4e54a790c4112bb296cfef957b5c54be6b8452 (modules/backup-s3/client.go)
// Link: https://github.com/weaviate/weaviate/commit/bd4e54a790c4112bb296cfef957b5c54be6b8452
// Bug: s3Client.AllBackups returns early (ctx.Err() or info.Err) from the `for info := range objectsInfo` loop without draining the minio ListObjects channel, so the ListObjects producer goroutine stays blocked forever on its send of the ctx error into the full channel
// Fix: on error record listErr and break, then drain the channel (for range objectsInfo {}) before returning the error
// Rule: timeoutleak
package modstgs3

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Reduced from modules/backup-s3/client.go (AllBackups) and usecases/backup/fetch.go
// (FetchBackupDescriptors, made sequential).

const GlobalBackupFile = "backup_config.json"

type clientConfig struct {
	Bucket     string
	BackupPath string
}

// DistributedBackupDescriptor is the global backup descriptor stored per backup ID.
type DistributedBackupDescriptor struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ErrNotFound marks a missing backup object.
type ErrNotFound struct {
	err error
}

func (e ErrNotFound) Error() string { return e.err.Error() }
func (e ErrNotFound) Unwrap() error { return e.err }

type s3Client struct {
	client *Client
	config *clientConfig
}

func (s *s3Client) AllBackups(ctx context.Context,
) ([]*DistributedBackupDescriptor, error) {
	// List non-recursively to get only backup ID prefixes (directories),
	// avoiding a deep recursive walk through all node data files.
	prefix := s.config.BackupPath
	if prefix != "" && prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	objectsInfo := s.client.ListObjects(ctx,
		s.config.Bucket,
		ListObjectsOptions{
			Recursive: false,
			Prefix:    prefix,
		},
	)

	// Construct the exact backup_config.json key for each backup ID prefix.
	var keys []string
	var listErr error
	for info := range objectsInfo {
		if err := ctx.Err(); err != nil {
			listErr = err
			break
		}
		if info.Err != nil {
			listErr = fmt.Errorf("list objects: %w", info.Err)
			break
		}
		// Non-recursive listing returns common prefixes (directories) as keys ending with "/".
		// For each backup ID directory, the config file is at <prefix>backup_config.json.
		if len(info.Key) > 0 && info.Key[len(info.Key)-1] == '/' {
			keys = append(keys, info.Key+GlobalBackupFile)
		}
	}
	if listErr != nil {
		// Drain the channel as required by the ListObjects godoc ("caller
		// must drain the channel entirely"); otherwise minio's producer
		// goroutine blocks forever on an unguarded error-send.
		for range objectsInfo {
		}
		return nil, listErr
	}

	return FetchBackupDescriptors(ctx, keys, func(ctx context.Context, key string) ([]byte, error) {
		obj, err := s.client.GetObject(ctx, s.config.Bucket, key)
		if err != nil {
			return nil, fmt.Errorf("get object: %w", err)
		}
		defer obj.Close()

		var buf bytes.Buffer
		if _, err = io.Copy(&buf, obj); err != nil {
			wrapped := fmt.Errorf("read object: %w", err)
			var s3Err ErrorResponse
			if errors.As(err, &s3Err) && s3Err.StatusCode == http.StatusNotFound {
				return nil, ErrNotFound{wrapped}
			}
			return nil, wrapped
		}
		return buf.Bytes(), nil
	})
}

// FetchBackupDescriptors fetches and decodes the global descriptor of every key.
func FetchBackupDescriptors(
	ctx context.Context,
	keys []string,
	fetch func(ctx context.Context, key string) ([]byte, error),
) ([]*DistributedBackupDescriptor, error) {
	var out []*DistributedBackupDescriptor
	for _, key := range keys {
		if !strings.HasSuffix(key, GlobalBackupFile) {
			continue
		}
		contents, err := fetch(ctx, key)
		if err != nil {
			var notFoundErr ErrNotFound
			if errors.As(err, &notFoundErr) {
				continue // skip not found errors, treat as if no descriptor exists
			}
			return nil, fmt.Errorf("fetch descriptor %q: %w", key, err)
		}
		var desc DistributedBackupDescriptor
		if err := json.Unmarshal(contents, &desc); err != nil {
			return nil, fmt.Errorf("unmarshal descriptor %q: %w", key, err)
		}
		out = append(out, &desc)
	}
	return out, nil
}
