// Recall case nd-rudder-server-routerclient
// Source: github.com/rudderlabs/rudder-server commit 93a5837f8fc68409105e2e282ee63fca7c17ed4d (router/network.go)
// Link: https://github.com/rudderlabs/rudder-server/commit/93a5837f8fc68409105e2e282ee63fca7c17ed4d
// Bug: Setup stores an http.Client with no Timeout in NetHandleT.httpClient, and sendPost sends every destination request with client.Do on a request without context, so a stalled destination blocks the router worker forever.
// Fix: Setup gives the http.Client a 15 second Timeout.
// Rule: nodeadline
package router

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
)

// PostParametersT is the transformed request description (stand-in for integrations.PostParametersT).
type PostParametersT struct {
	Type          string                 `json:"type"`
	URL           string                 `json:"endpoint"`
	RequestMethod string                 `json:"method"`
	Headers       map[string]interface{} `json:"headers"`
	QueryParams   map[string]interface{} `json:"params"`
	Body          map[string]interface{} `json:"body"`
	Files         map[string]interface{} `json:"files"`
}

// GetPostInfo parses the transformed payload (stand-in for integrations.GetPostInfo).
func GetPostInfo(jsonData []byte) (PostParametersT, error) {
	var p PostParametersT
	err := json.Unmarshal(jsonData, &p)
	return p, err
}

// NetHandleT is the wrapper holding private variables
type NetHandleT struct {
	httpClient *http.Client
}

// sendPost takes the EventPayload of a transformed job, gets the necessary values from the payload and makes a call to destination to push the event to it
// this returns the statusCode, status and response body from the response of the destination call
func (network *NetHandleT) sendPost(jsonData []byte) (statusCode int, status string, respBody string) {
	client := network.httpClient
	//Parse the response to get parameters
	postInfo, err := GetPostInfo(jsonData)
	if err != nil {
		return 400, "", fmt.Sprintf(`400 GetPostInfoFailed with error: %s`, err.Error())
	}
	isRest := postInfo.Type == "REST"

	isMultipart := len(postInfo.Files) > 0

	if isRest && !isMultipart {
		requestMethod := postInfo.RequestMethod
		requestBody := postInfo.Body
		requestQueryParams := postInfo.QueryParams
		var bodyFormat string
		var bodyValue map[string]interface{}
		for k, v := range requestBody {
			if len(v.(map[string]interface{})) > 0 {
				bodyFormat = k
				bodyValue = v.(map[string]interface{})
				break
			}
		}

		req, err := http.NewRequest(requestMethod, postInfo.URL, nil)
		if err != nil {
			return 400, "", fmt.Sprintf(`400 Unable to construct "%s" request for URL : "%s"`, requestMethod, postInfo.URL)
		}

		queryParams := req.URL.Query()
		for key, val := range requestQueryParams {
			queryParams.Add(key, fmt.Sprint(val))
		}
		req.URL.RawQuery = queryParams.Encode()

		// support for JSON and FORM body type
		if len(bodyValue) > 0 {
			switch bodyFormat {
			case "JSON":
				jsonValue, err := json.Marshal(bodyValue)
				if err != nil {
					panic(err)
				}
				req.Body = io.NopCloser(bytes.NewReader(jsonValue))

			case "FORM":
				formValues := url.Values{}
				for key, val := range bodyValue {
					formValues.Set(key, fmt.Sprint(val))
				}
				req.Body = io.NopCloser(strings.NewReader(formValues.Encode()))

			default:
				panic(fmt.Errorf("bodyFormat: %s is not supported", bodyFormat))
			}
		}

		headerKV := postInfo.Headers
		for key, val := range headerKV {
			req.Header.Add(key, val.(string))
		}

		req.Header.Add("User-Agent", "RudderLabs")

		resp, err := client.Do(req)

		var respBody []byte

		if resp != nil && resp.Body != nil {
			respBody, _ = io.ReadAll(resp.Body)
			defer resp.Body.Close()
		}

		if err != nil {
			log.Println("Errored when sending request to the server", err)
			return http.StatusGatewayTimeout, "", string(respBody)
		}

		return resp.StatusCode, resp.Status, string(respBody)
	}

	// returning 200 with a message in case of unsupported processing
	// so that we don't process again.
	return 200, "method not implemented", ""
}

// Setup initializes the module
func (network *NetHandleT) Setup(destID string) {
	log.Println("Network Handler Startup")
	//Reference http://tleyden.github.io/blog/2016/11/21/tuning-the-go-http-client-library-for-load-testing
	defaultRoundTripper := http.DefaultTransport
	defaultTransportPointer, ok := defaultRoundTripper.(*http.Transport)
	if !ok {
		panic(fmt.Errorf("typecast of defaultRoundTripper to *http.Transport failed"))
	}
	defaultTransportCopy := defaultTransportPointer.Clone()
	defaultTransportCopy.MaxIdleConns = 100
	defaultTransportCopy.MaxIdleConnsPerHost = 100
	network.httpClient = &http.Client{Transport: defaultTransportCopy}
}
