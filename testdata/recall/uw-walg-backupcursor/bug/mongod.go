// Recall case uw-walg-backupcursor
// Source: github.com/wal-g/wal-g commit 1e7baa9860a09a5dcd0bb4968a0307eae7c37b96 (internal/databases/mongo/binary/mongod.go)
// Link: https://github.com/wal-g/wal-g/commit/1e7baa9860a09a5dcd0bb4968a0307eae7c37b96
// Bug: MongodService.GetBackupCursor retries $backupCursor with time.Sleep(i+1 minutes) between attempts, ignoring the service ctx (MongodService.Context), so a cancelled backup keeps sleeping for up to many minutes.
// Fix: the back-off waits in a select on mongodService.Context.Done() (returning Context.Err()) and time.After, and no longer sleeps after the last attempt.
// Rule: uncancellablewait
package binary

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"
)

const adminDB = "admin"

const cursorCreateRetries = 10

// Cursor stands in for *mongo.Cursor.
type Cursor struct {
	Batch []json.RawMessage `json:"firstBatch"`
}

// Database stands in for *mongo.Database: commands are sent over HTTP with the given ctx.
type Database struct {
	httpClient *http.Client
	baseURL    string
	name       string
}

func (db *Database) Aggregate(ctx context.Context, pipeline []map[string]any) (*Cursor, error) {
	body, err := json.Marshal(map[string]any{"aggregate": 1, "pipeline": pipeline})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, db.baseURL+"/"+db.name+"/aggregate", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	resp, err := db.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Errmsg string `json:"errmsg"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return nil, errors.New(e.Errmsg)
	}
	cursor := &Cursor{}
	if err := json.NewDecoder(resp.Body).Decode(cursor); err != nil {
		return nil, err
	}
	return cursor, nil
}

// Client stands in for *mongo.Client.
type Client struct {
	httpClient *http.Client
	baseURL    string
}

func (c *Client) Database(name string) *Database {
	return &Database{httpClient: c.httpClient, baseURL: c.baseURL, name: name}
}

type MongodService struct {
	Context     context.Context //nolint:containedctx // long-lived mongod client connection service
	MongoClient *Client
}

func (mongodService *MongodService) GetBackupCursor() (cursor *Cursor, err error) {
	for i := 0; i < cursorCreateRetries; i++ {
		cursor, err = mongodService.MongoClient.Database(adminDB).Aggregate(mongodService.Context, []map[string]any{
			{"$backupCursor": map[string]any{}},
		})
		if err == nil {
			break // success!
		}
		if !backupCursorErrorIsRetried(err) {
			return nil, err
		}
		if i < cursorCreateRetries {
			minutes := time.Duration(i + 1)
			log.Printf("%+v. Sleep %d minutes and retry", err, minutes)
			time.Sleep(time.Minute * minutes)
		}
	}

	return cursor, err
}

func backupCursorErrorIsRetried(err error) bool {
	return strings.Contains(err.Error(), "(Location50915)") ||
		strings.Contains(err.Error(), "(BackupCursorOpenConflictWithCheckpoint)") // mongodb take checkpoint
}
