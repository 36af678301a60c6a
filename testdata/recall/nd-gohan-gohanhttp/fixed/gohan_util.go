// Recall case nd-gohan-gohanhttp
// Source: github.com/cloudwan/gohan commit a6d9203273eee0c400b951e68a3c0eae29797bc4 (extension/otto/gohan_util.go)
// Link: https://github.com/cloudwan/gohan/commit/a6d9203273eee0c400b951e68a3c0eae29797bc4
// Bug: gohanHTTP calls req.WithContext(ctx) but discards the returned request, so http.DefaultClient.Do sends a request with no context: neither the gohan_http timeout nor the otto interrupt (cancel) can stop a hung HTTP call.
// Fix: req = req.WithContext(ctx) (and the gohan_http default timeout becomes 3000 ms instead of 0).
// Rule: nodeadline
package otto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"time"
)

const (
	noContextMessage          = "No context provided"
	defaultHTTPRequestTimeout = 3000
)

// gohanHTTPBuiltin is the body of the "gohan_http" otto builtin: args are
// method, url, headers, data, opaque and timeout (ms); interrupt stands in for
// call.Otto.Interrupt.
func gohanHTTPBuiltin(interrupt <-chan func(), args []any) map[string]any {
	if len(args) == 4 {
		args = append(args, false)
	}
	if len(args) == 5 {
		args = append(args, int64(defaultHTTPRequestTimeout))
	}
	method, _ := args[0].(string)
	rawURL, _ := args[1].(string)
	rawHeaders, _ := args[2].(map[string]any)
	data := args[3]
	opaque, _ := args[4].(bool)
	timeout, _ := args[5].(int64)
	log.Printf("gohan_http  [%s] %v %s %v %d", method, rawHeaders, rawURL, opaque, timeout)

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Millisecond)
	defer cancel()

	var (
		code    int
		headers http.Header
		body    string
		err     error
	)

	done := make(chan struct{})
	go func() {
		code, headers, body, err = gohanHTTP(ctx, method, rawURL, rawHeaders, data, opaque)
		close(done)
	}()

	select {
	case interruptFn := <-interrupt:
		log.Printf("Received otto interrupt in gohan_http")
		cancel()
		interruptFn()
	case <-done:
	}

	resp := map[string]any{}
	if err != nil {
		resp["status"] = "err"
		resp["error"] = err.Error()
	} else {
		resp["status"] = "success"
		resp["status_code"] = fmt.Sprint(code)
		resp["body"] = body
		resp["headers"] = headers
	}
	return resp
}

func gohanHTTP(ctx context.Context, method, rawURL string, headers map[string]any,
	postData any, opaque bool) (int, http.Header, string, error) {

	var reader io.Reader

	if postData != nil {
		var requestData []byte
		var err error

		contentType := ""
		if c, ok := headers["content-type"]; ok {
			contentType = c.(string)
		}

		if contentType == "text/plain" {
			if d, ok := postData.(string); ok {
				requestData = []byte(d)
			}
		} else {
			requestData, err = json.Marshal(postData)
			if err != nil {
				return 0, http.Header{}, "", err
			}
			// set application/json as content-type because of json.Marshal
			if headers != nil {
				headers["content-type"] = "application/json"
			}
		}
		reader = bytes.NewBuffer(requestData)
	}

	req, err := http.NewRequest(method, rawURL, reader)
	if err != nil {
		return 0, http.Header{}, "", err
	}
	req = req.WithContext(ctx)

	if headers != nil {
		for key, value := range headers {
			req.Header.Add(key, value.(string))
		}
	}

	if opaque {
		req.URL = &url.URL{
			Scheme: req.URL.Scheme,
			Host:   req.URL.Host,
			Opaque: rawURL,
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, http.Header{}, "", err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, resp.Header, "", err
	}
	return resp.StatusCode, resp.Header, string(body), nil
}
