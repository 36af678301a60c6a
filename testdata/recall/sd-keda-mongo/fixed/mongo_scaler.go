// Recall case sd-keda-mongo
// Source: github.com/kedacore/keda commit d1bed54635e94e4601ba46b42d6c308a4a1297ef (pkg/scalers/mongo_scaler.go)
// Link: https://github.com/kedacore/keda/commit/d1bed54635e94e4601ba46b42d6c308a4a1297ef
// Bug: mongoDBScaler.GetMetrics(ctx)/IsActive(ctx) call getQueryResult(), which starts a fresh context.WithTimeout(context.Background(), mongoDBDefaultTimeOut) for CountDocuments, so the caller's deadline/cancellation is ignored.
// Fix: getQueryResult takes the caller's ctx and derives its timeout from it (context.WithTimeout(ctx, mongoDBDefaultTimeOut)); GetMetrics/IsActive pass ctx.
// Rule: sharedeadline
package scalers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"
)

// mongoDBScaler is support for mongoDB in keda.
type mongoDBScaler struct {
	metadata *mongoDBMetadata
	client   *Client
}

// mongoDBMetadata specify mongoDB scaler params.
type mongoDBMetadata struct {
	connectionString string
	dbName           string
	collection       string
	query            string
	queryValue       int
	metricName       string
}

// ExternalMetricValue stands in for external_metrics.ExternalMetricValue.
type ExternalMetricValue struct {
	MetricName string
	Value      int64
	Timestamp  time.Time
}

// Default variables and settings
const (
	mongoDBDefaultTimeOut = 10 * time.Second
)

// NewMongoDBScaler creates a new mongoDB scaler (connect/ping cut; the stub client dials per operation).
func NewMongoDBScaler(meta *mongoDBMetadata) (*mongoDBScaler, error) {
	client, err := NewClient(meta.connectionString)
	if err != nil {
		return nil, fmt.Errorf("failed to establish connection with mongoDB, because of %v", err)
	}
	return &mongoDBScaler{
		metadata: meta,
		client:   client,
	}, nil
}

func (s *mongoDBScaler) IsActive(ctx context.Context) (bool, error) {
	result, err := s.getQueryResult(ctx)
	if err != nil {
		log.Printf("failed to get query result by mongoDB, because of %v", err)
		return false, err
	}
	return result > 0, nil
}

// getQueryResult query mongoDB by meta.query
func (s *mongoDBScaler) getQueryResult(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, mongoDBDefaultTimeOut)
	defer cancel()

	filter, err := json2BsonDoc(s.metadata.query)
	if err != nil {
		log.Printf("failed to convert query param to bson.Doc, because of %v", err)
		return 0, err
	}

	docsNum, err := s.client.Database(s.metadata.dbName).Collection(s.metadata.collection).CountDocuments(ctx, filter)
	if err != nil {
		log.Printf("failed to query %v in %v, because of %v", s.metadata.dbName, s.metadata.collection, err)
		return 0, err
	}

	return int(docsNum), nil
}

// GetMetrics query from mongoDB,and return to external metrics
func (s *mongoDBScaler) GetMetrics(ctx context.Context, metricName string) ([]ExternalMetricValue, error) {
	num, err := s.getQueryResult(ctx)
	if err != nil {
		return []ExternalMetricValue{}, fmt.Errorf("failed to inspect momgoDB, because of %v", err)
	}

	metric := ExternalMetricValue{
		MetricName: metricName,
		Value:      int64(num),
		Timestamp:  time.Now(),
	}

	return append([]ExternalMetricValue{}, metric), nil
}

// json2BsonDoc convert Json to Bson.Doc
func json2BsonDoc(js string) (doc map[string]any, err error) {
	doc = map[string]any{}
	err = json.Unmarshal([]byte(js), &doc)
	if err != nil {
		return nil, err
	}

	if len(doc) == 0 {
		return nil, errors.New("empty bson document")
	}

	return doc, nil
}
