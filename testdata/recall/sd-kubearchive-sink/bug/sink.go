// Recall case sd-kubearchive-sink
// Source: github.com/kubearchive/kubearchive commit 3a6f780b549e98dc598a67fe209ea952be312706 (cmd/sink/main.go)
// Link: https://github.com/kubearchive/kubearchive/commit/3a6f780b549e98dc598a67fe209ea952be312706
// Bug: Sink.Receive gets the event ctx but the Kubernetes delete and the follow-up DB update each start a fresh 5s budget with context.WithTimeout(context.Background(), ...), ignoring the caller ctx (its cancellation, deadline and values).
// Fix: Derive both timeouts from the caller ctx: context.WithTimeout(ctx, time.Second*5).
// Rule: sharedeadline
package sink

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// Object is a reduced unstructured Kubernetes object.
type Object struct {
	UID               string     `json:"uid"`
	Kind              string     `json:"kind"`
	Name              string     `json:"name"`
	Namespace         string     `json:"namespace"`
	DeletionTimestamp *time.Time `json:"deletionTimestamp,omitempty"`
}

// Event is a reduced cloudevent.
type Event struct {
	id   string
	data []byte
}

func (e Event) ID() string   { return e.id }
func (e Event) Data() []byte { return e.data }

// DBInterface is the database used by the sink.
type DBInterface interface {
	WriteResource(ctx context.Context, obj *Object, data []byte) error
}

type database struct {
	db *sql.DB
}

func (d *database) WriteResource(ctx context.Context, obj *Object, data []byte) error {
	_, err := d.db.ExecContext(ctx,
		"INSERT INTO resource (uuid, kind, name, namespace, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT(uuid) DO UPDATE SET data=$5",
		obj.UID, obj.Kind, obj.Name, obj.Namespace, data)
	return err
}

// DynamicClient is a stand-in for the client-go dynamic client: it issues the
// real HTTP DELETE with the ctx it is given.
type DynamicClient struct {
	http *http.Client
	host string
}

func (c *DynamicClient) Delete(ctx context.Context, resource, namespace, name string) error {
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/%s/%s", c.host, namespace, resource, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("delete %s: status %d", name, resp.StatusCode)
	}
	return nil
}

type Filters struct {
	archive map[string]bool
	delete  map[string]bool
}

func (f *Filters) MustArchive(ctx context.Context, obj *Object) bool { return f.archive[obj.Kind] }
func (f *Filters) MustDelete(ctx context.Context, obj *Object) bool  { return f.delete[obj.Kind] }

type Sink struct {
	Db        DBInterface
	Filters   *Filters
	K8sClient *DynamicClient
	Logger    *log.Logger
}

func NewSink(db DBInterface, logger *log.Logger, filters *Filters, k8s *DynamicClient) *Sink {
	if logger == nil {
		logger = log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds|log.LUTC)
	}
	return &Sink{Db: db, Filters: filters, K8sClient: k8s, Logger: logger}
}

// Receive processes incoming cloudevents and writes them to the database
func (sink *Sink) Receive(ctx context.Context, event Event) {
	sink.Logger.Println("Received cloudevent: ", event.ID())
	k8sObj := &Object{}
	if err := json.Unmarshal(event.Data(), k8sObj); err != nil {
		sink.Logger.Printf("Cloudevent %s is malformed and will not be processed: %s\n", event.ID(), err)
		return
	}
	if !sink.Filters.MustArchive(ctx, k8sObj) {
		sink.Logger.Printf("Object %s from cloudevent %s does not need to be archived\n", k8sObj.UID, event.ID())
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second*5)
	sink.Logger.Printf("Writing object %s from cloudevent %s into the database\n", k8sObj.UID, event.ID())
	err := sink.Db.WriteResource(ctx, k8sObj, event.Data())
	defer cancel()
	if err != nil {
		sink.Logger.Printf("Failed to write object %s from cloudevent %s to the database: %s\n", k8sObj.UID, event.ID(), err)
		return
	}
	if sink.Filters.MustDelete(ctx, k8sObj) {
		sink.Logger.Println("Attempting to delete kubernetes object:", k8sObj.UID)
		resource := k8sObj.Kind + "s" // we only need the plural resource
		k8sCtx, k8sCancel := context.WithTimeout(context.Background(), time.Second*5)
		defer k8sCancel()
		err = sink.K8sClient.Delete(
			k8sCtx,
			resource,
			k8sObj.Namespace,
			k8sObj.Name,
		)
		if err != nil {
			sink.Logger.Printf("Could not delete object %s: %s\n", k8sObj.UID, err)
			return
		}
		deleteTs := time.Now()
		k8sObj.DeletionTimestamp = &deleteTs
		sink.Logger.Println("Updating cluster_deleted_ts for kubernetes object:", k8sObj.UID)
		updateCtx, updateCancel := context.WithTimeout(context.Background(), time.Second*5)
		err = sink.Db.WriteResource(updateCtx, k8sObj, event.Data())
		defer updateCancel()
		if err != nil {
			sink.Logger.Println("Failed to update cluster_deleted_ts for kubernetes object:", k8sObj.UID)
			return
		}
		sink.Logger.Println("Successfully deleted kubernetes object:", k8sObj.UID)
	} else {
		sink.Logger.Printf("Object %s from cloudevent %s does not need to be deleted\n", k8sObj.UID, event.ID())
	}
}
