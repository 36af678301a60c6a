// Recall case sc-tr1d1um-send
// Source: github.com/xmidt-org/tr1d1um commit 6a5e85fdaa9b9885f4c4c6660d27ab610dad28e2 (src/tr1d1um/communication.go, src/tr1d1um/tr1d1um.go)
// Link: https://github.com/xmidt-org/tr1d1um/commit/6a5e85fdaa9b9885f4c4c6660d27ab610dad28e2
// Bug: When the request ctx expires, Send discards the context error and returns errors.New("client time exceeded"), so callers cannot tell a deadline/cancellation apart (the sender goroutine also blocks forever on the unbuffered ready channel).
// Fix: Return ctx.Err() on <-ctx.Done() (and signal completion by closing the channel; the client also gets a Timeout).
// Rule: swallowcancel
package tr1d1um

import (
	"net/http"
	"time"
)

const (
	defaultClientTimeout   = "30s"
	defaultRespWaitTimeout = "40s"
)

type ConversionHandler struct {
	sender        SendAndHandle
	targetURL     string
	serverVersion string
}

//SetUpHandler prepares the main handler under TR1D1UM which is the ConversionHandler
func SetUpHandler(clientTimeoutStr, respWaitTimeoutStr, targetURL, version string) (cHandler *ConversionHandler) {
	if clientTimeoutStr == "" {
		clientTimeoutStr = defaultClientTimeout
	}
	if respWaitTimeoutStr == "" {
		respWaitTimeoutStr = defaultRespWaitTimeout
	}
	clientTimeout, _ := time.ParseDuration(clientTimeoutStr)
	respTimeout, _ := time.ParseDuration(respWaitTimeoutStr)

	cHandler = &ConversionHandler{
		//TODO: add needed elements into http.Client
		sender: &Tr1SendAndHandle{client: &http.Client{Timeout: clientTimeout},
			NewHTTPRequest: http.NewRequest, respTimeout: respTimeout},
		targetURL:     targetURL,
		serverVersion: version,
	}
	return
}
