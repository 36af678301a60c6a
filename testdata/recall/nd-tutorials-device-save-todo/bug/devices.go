// Recall case nd-tutorials-device-save-todo
// Source: github.com/antonputra/tutorials commit 43a932aca0540298bdc0efe791ddb9a319ebe891 (lessons/213/go-app/devices.go)
// Link: https://github.com/antonputra/tutorials/commit/43a932aca0540298bdc0efe791ddb9a319ebe891
// Bug: Device.Save receives the HTTP request ctx but calls the MongoDB InsertOne with context.TODO(), so the insert has no deadline and is not cancelled when the request times out or the client goes away.
// Fix: pass the caller's ctx to InsertOne instead of context.TODO().
// Rule: nodeadline
package devices

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

// Database is a small stand-in for *mongo.Database: it talks to a document
// store over HTTP.
type Database struct {
	uri    string
	client *http.Client
}

// Collection is a stand-in for *mongo.Collection.
type Collection struct {
	db   *Database
	name string
}

func (db *Database) Collection(name string) *Collection {
	return &Collection{db: db, name: name}
}

// InsertOne sends the document to the server, honouring ctx.
func (c *Collection) InsertOne(ctx context.Context, doc any) (string, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.db.uri+"/"+c.name, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := c.db.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	id, err := io.ReadAll(resp.Body)
	return string(id), err
}

type metrics struct {
	observe func(op string, seconds float64)
}

// Device represents hardware device
type Device struct {
	UUID     string `json:"uuid"`
	Mac      string `json:"mac"`
	Firmware string `json:"firmware"`
}

// Save inserts a Device into the MongoDb database.
func (d *Device) Save(ctx context.Context, db *Database, m *metrics) (err error) {
	// Get the current time to record the duration of the request.
	now := time.Now()
	defer func() {
		if err == nil {
			m.observe("db", time.Since(now).Seconds())
		}
	}()

	_, err = db.Collection("go_devices").InsertOne(context.TODO(), d)
	return annotate(err, "db.Exec failed")
}

type MyServer struct {
	db      *Database
	metrics *metrics
}

// saveDevice registers the device.
func (ms *MyServer) saveDevice(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()

	var d Device
	if err := json.NewDecoder(req.Body).Decode(&d); err != nil {
		log.Printf("decoder.Decode failed: %s", err)
		http.Error(w, "Failed to decode Device.", 400)
		return
	}

	if err := d.Save(ctx, ms.db, ms.metrics); err != nil {
		log.Printf("d.Save failed: %s", err)
		http.Error(w, "Failed to save Device.", 400)
		return
	}
	w.WriteHeader(201)
}

func annotate(err error, format string, args ...any) error {
	if err != nil {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
	}
	return nil
}
