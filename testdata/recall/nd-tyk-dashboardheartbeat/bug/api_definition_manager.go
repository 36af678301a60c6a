// Recall case nd-tyk-dashboardheartbeat
// Source: github.com/TykTechnologies/tyk commit cdee9f801818d2bf80fe4d0b21859d71c78cc365 (api_definition_manager.go)
// Link: https://github.com/TykTechnologies/tyk/commit/cdee9f801818d2bf80fe4d0b21859d71c78cc365
// Bug: SendHeartBeat sends the dashboard heartbeat with a zero-value &http.Client{} (no Timeout) on a request built without a context, so a hung dashboard blocks the heartbeat loop forever while ServiceNonceMutex is held.
// Fix: the client is created with Timeout: 5*time.Second (and the nonce mutex is released with defer).
// Rule: nodeadline
package gateway

import (
	"encoding/json"
	"errors"
	"io"
	stdlog "log"
	"net/http"
	"sync"
	"time"
)

// NodeID is the ID of this gateway node as registered with the dashboard.
var NodeID string

// ServiceNonce is the nonce exchanged with the dashboard on every call.
var ServiceNonce string

// ServiceNonceMutex guards ServiceNonce.
var ServiceNonceMutex sync.Mutex

// logger is a small stand-in for the logrus logger used by tyk.
type logger struct{}

func (logger) Debug(v ...interface{})   { stdlog.Println(append([]interface{}{"DEBUG"}, v...)...) }
func (logger) Warning(v ...interface{}) { stdlog.Println(append([]interface{}{"WARN"}, v...)...) }
func (logger) Error(v ...interface{})   { stdlog.Println(append([]interface{}{"ERROR"}, v...)...) }

var log logger

func StartBeating(endpoint, secret string) {
	for {
		failure := SendHeartBeat(endpoint, secret)
		if failure != nil {
			log.Warning(failure)
		}
		time.Sleep(time.Second * 5)
	}
}

func SendHeartBeat(endpoint string, secret string) error {
	// Get the definitions
	log.Debug("Calling: ", endpoint)
	newRequest, err := http.NewRequest("GET", endpoint, nil)
	if err != nil {
		log.Error("Failed to create request: ", err)
	}

	newRequest.Header.Add("authorization", secret)
	newRequest.Header.Add("x-tyk-nodeid", NodeID)
	log.Debug("Sending Heartbeat as: ", NodeID)

	ServiceNonceMutex.Lock()
	newRequest.Header.Add("x-tyk-nonce", ServiceNonce)

	c := &http.Client{}
	response, reqErr := c.Do(newRequest)

	if reqErr != nil {
		return errors.New("Dashboard is down? Heartbeat is failing.")
	}

	if response.StatusCode != 200 {
		return errors.New("Dashboard is down? Heartbeat is failing.")
	}

	defer response.Body.Close()
	retBody, err := io.ReadAll(response.Body)

	if err != nil {
		return err
	}

	// Extract tagged APIs#
	type NodeResponseOK struct {
		Status  string
		Message map[string]string
		Nonce   string
	}

	thisVal := NodeResponseOK{}
	decErr := json.Unmarshal(retBody, &thisVal)
	if decErr != nil {
		log.Error("Failed to decode body: ", decErr)
		return decErr
	}

	// Set the nonce

	ServiceNonce = thisVal.Nonce
	log.Debug("Hearbeat Finished: Nonce Set: ", ServiceNonce)
	ServiceNonceMutex.Unlock()

	return nil
}
