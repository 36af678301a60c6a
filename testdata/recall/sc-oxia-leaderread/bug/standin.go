// Recall case sc-oxia-leaderread
// Source: github.com/oxia-db/oxia commit f5eca5119806fab35e162caefdf4c3365ca7babc (server/leader_controller.go)
// Link: https://github.com/oxia-db/oxia/commit/f5eca5119806fab35e162caefdf4c3365ca7babc
// Bug: in leaderController.Read the read goroutine stops the loop when ctx.Err() != nil but then calls cb.OnComplete(nil), so a cancelled/timed-out read is reported to the stream as a successful completion.
// Fix: the loop keeps the error (err = ctx.Err()) and completes the stream with cb.OnComplete(err).
// Rule: swallowcancel
package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// GetRequest / GetResponse / ReadRequest are stand-ins for the oxia protobufs.
type GetRequest struct {
	Key                string
	SecondaryIndexName *string
}

type GetResponse struct {
	Key   string
	Value []byte
}

type ReadRequest struct {
	Gets []*GetRequest
}

type ServingStatus int

const (
	ServingStatusFollower ServingStatus = iota
	ServingStatusLeader
)

// StreamCallback is the oxia callback.StreamCallback interface.
type StreamCallback[T any] interface {
	OnNext(t T) error
	OnComplete(err error)
}

// DB is a stand-in for kv.DB: values are stored as files on local disk.
type DB interface {
	Get(request *GetRequest) (*GetResponse, error)
}

type fileDB struct{ dir string }

func (d *fileDB) Get(request *GetRequest) (*GetResponse, error) {
	v, err := os.ReadFile(filepath.Join(d.dir, filepath.Clean("/"+request.Key)))
	if errors.Is(err, os.ErrNotExist) {
		return &GetResponse{Key: request.Key}, nil
	}
	if err != nil {
		return nil, err
	}
	return &GetResponse{Key: request.Key, Value: v}, nil
}

func secondaryIndexGet(req *GetRequest, db DB) (*GetResponse, error) {
	return db.Get(&GetRequest{Key: "__idx/" + *req.SecondaryIndexName + "/" + req.Key})
}

// DoWithLabels is common.DoWithLabels: it runs f with pprof labels attached.
func DoWithLabels(ctx context.Context, labels map[string]string, f func()) {
	l := make([]string, 0, len(labels)*2)
	for k, v := range labels {
		l = append(l, k, v)
	}

	pprof.Do(
		ctx,
		pprof.Labels(l...),
		func(_ context.Context) {
			f()
		})
}

func checkStatusIsLeader(actual ServingStatus) error {
	if actual != ServingStatusLeader {
		return errors.New("received message in the wrong state")
	}
	return nil
}
