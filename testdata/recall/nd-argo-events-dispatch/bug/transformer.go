// Recall case nd-argo-events-dispatch
// Source: github.com/argoproj/argo-events commit c7d8b1e1aacf8de8a27615ca9d724792d325e8cd (gateways/transformer.go)
// Link: https://github.com/argoproj/argo-events/commit/c7d8b1e1aacf8de8a27615ca9d724792d325e8cd
// Bug: GatewayConfig.DispatchEvent -> dispatchEventOverHttp -> postCloudEventToWatcher POSTs an http.NewRequest (no ctx) with a bare &http.Client{} (no Timeout), so a stuck sensor/gateway watcher blocks event dispatch forever.
// Fix: postCloudEventToWatcher builds the client with Timeout: 20 * time.Second (plus a tuned Transport).
// Rule: nodeadline
package gateways

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const sensorServiceEndpoint = "/"

// Watcher is a sensor or gateway that receives dispatched events.
type Watcher struct {
	Name     string
	Port     string
	Endpoint string
}

// GatewaySpec is the subset of the Gateway spec used here.
type GatewaySpec struct {
	Type       string
	HTTPPort   string
	Sensors    []Watcher
	Gateways   []Watcher
	SourceHost string
}

// GatewayConfig provides a generic event source for a gateway.
type GatewayConfig struct {
	Name string
	Spec GatewaySpec
}

// Event is the event produced by a gateway server.
type Event struct {
	Name    string
	Payload []byte
}

// CloudEvent is a reduced apicommon.Event.
type CloudEvent struct {
	EventID   string    `json:"eventID"`
	EventType string    `json:"eventType"`
	EventTime time.Time `json:"eventTime"`
	Source    string    `json:"source"`
	Payload   []byte    `json:"payload"`
}

// DispatchEvent dispatches event to gateway transformer for further processing
func (gc *GatewayConfig) DispatchEvent(gatewayEvent *Event) error {
	transformedEvent, err := gc.transformEvent(gatewayEvent)
	if err != nil {
		return err
	}

	payload, err := json.Marshal(transformedEvent)
	if err != nil {
		return fmt.Errorf("failed to dispatch event to watchers over http. marshalling failed. err: %+v", err)
	}

	if err = gc.dispatchEventOverHttp(transformedEvent.Source, payload); err != nil {
		return err
	}
	return nil
}

// transformEvent transforms an event from event source into a CloudEvents specification compliant event
func (gc *GatewayConfig) transformEvent(gatewayEvent *Event) (*CloudEvent, error) {
	ce := &CloudEvent{
		EventID:   fmt.Sprintf("%x", time.Now().UnixNano()),
		EventType: gc.Spec.Type,
		EventTime: time.Now().UTC(),
		Source:    fmt.Sprintf("%s:%s", gc.Name, gatewayEvent.Name),
		Payload:   gatewayEvent.Payload,
	}
	return ce, nil
}

// dispatchEventOverHttp dispatches event to watchers over http.
func (gc *GatewayConfig) dispatchEventOverHttp(source string, eventPayload []byte) error {
	log.Printf("dispatching event to watchers, source %s", source)

	completeSuccess := true

	for _, sensor := range gc.Spec.Sensors {
		if err := gc.postCloudEventToWatcher(sensor.Name+"-svc", gc.Spec.HTTPPort, sensorServiceEndpoint, eventPayload); err != nil {
			log.Printf("failed to dispatch event to sensor watcher %s over http. communication error: %v", sensor.Name, err)
			completeSuccess = false
		}
	}
	for _, gateway := range gc.Spec.Gateways {
		if err := gc.postCloudEventToWatcher(gateway.Name+"-svc", gateway.Port, gateway.Endpoint, eventPayload); err != nil {
			log.Printf("failed to dispatch event to gateway watcher %s over http. communication error: %v", gateway.Name, err)
			completeSuccess = false
		}
	}

	response := "dispatched event to all watchers"
	if !completeSuccess {
		response = fmt.Sprintf("%s.%s", response, " although some of the dispatch operations failed, check logs for more info")
	}

	log.Print(response)
	return nil
}

// postCloudEventToWatcher makes a HTTP POST call to watcher's service
func (gc *GatewayConfig) postCloudEventToWatcher(host string, port string, endpoint string, payload []byte) error {
	req, err := http.NewRequest("POST", fmt.Sprintf("http://%s:%s%s", host, port, endpoint), bytes.NewBuffer(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{}
	_, err = client.Do(req)
	return err
}
