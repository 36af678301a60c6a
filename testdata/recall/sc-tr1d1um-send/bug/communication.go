// Recall case sc-tr1d1um-send
// Source: github.com/xmidt-org/tr1d1um commit 6a5e85fdaa9b9885f4c4c6660d27ab610dad28e2 (src/tr1d1um/communication.go, src/tr1d1um/tr1d1um.go)
// Link: https://github.com/xmidt-org/tr1d1um/commit/6a5e85fdaa9b9885f4c4c6660d27ab610dad28e2
// Bug: When the request ctx expires, Send discards the context error and returns errors.New("client time exceeded"), so callers cannot tell a deadline/cancellation apart (the sender goroutine also blocks forever on the unbuffered ready channel).
// Fix: Return ctx.Err() on <-ctx.Done() (and signal completion by closing the channel; the client also gets a Timeout).
// Rule: swallowcancel
package tr1d1um

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"time"
)

const baseURI = "/api"

//SendAndHandle wraps the methods to communicate both back to a requester and to a target server
type SendAndHandle interface {
	Send(*ConversionHandler, http.ResponseWriter, []byte, *http.Request) (*http.Response, error)
}

//Tr1SendAndHandle implements the behaviors of SendAndHandle
type Tr1SendAndHandle struct {
	client         *http.Client
	NewHTTPRequest func(string, string, io.Reader) (*http.Request, error)
	timeout        time.Duration
}

//Send prepares and subsequently sends a WRP encoded message to a predefined server
func (tr1 *Tr1SendAndHandle) Send(ch *ConversionHandler, resp http.ResponseWriter, data []byte, req *http.Request) (respFromServer *http.Response, err error) {
	fullPath := ch.targetURL + baseURI + "/" + ch.serverVersion + "/device"
	requestToServer, err := tr1.NewHTTPRequest(http.MethodPost, fullPath, bytes.NewBuffer(data))

	if err != nil {
		resp.WriteHeader(http.StatusInternalServerError)
		log.Print(err)
		return
	}

	//todo: any more headers to be added here
	requestToServer.Header.Set("Content-Type", "application/json")
	requestToServer.Header.Set("Authorization", req.Header.Get("Authorization"))

	ctx, cancel := context.WithTimeout(context.Background(), tr1.timeout)
	defer cancel()

	requestWithContext := requestToServer.WithContext(ctx)
	ready := make(chan bool)

	go func() {
		respFromServer, err = tr1.client.Do(requestWithContext)
		ready <- true
	}()

	select {
	case <-ready:
		return
	case <-ctx.Done():
		return nil, errors.New("client time exceeded")
	}
}
