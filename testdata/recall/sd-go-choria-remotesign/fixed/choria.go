// Recall case sd-go-choria-remotesign
// Source: github.com/choria-io/go-choria commit 6ea4ce5bd96ffa563ffed92c82d4ffd1be4a02d6 (protocol/v2/secure_request.go)
// Link: https://github.com/choria-io/go-choria/commit/6ea4ce5bd96ffa563ffed92c82d4ffd1be4a02d6
// Bug: NewRemoteSignedSecureRequest starts its own 10s budget with context.WithTimeout(context.Background(), ...) for the remote-signer call, ignoring the connection's context, so a ^C/shutdown of the caller cannot abort a stuck remote signing request.
// Fix: the ctx is threaded from Connection (NewConnector's ctx) through Message.Transport, NewRequestTransportForMessage and NewSecureRequest into NewRemoteSignedSecureRequest, which passes it to RemoteSignRequest instead of a fresh Background timeout.
// Rule: sharedeadline
package choria

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Request is a reduced stand-in for protocol.Request.
type Request struct {
	Agent   string `json:"agent"`
	Message string `json:"message"`
}

func (r *Request) JSON() ([]byte, error) { return json.Marshal(r) }

// SecureRequest is a reduced stand-in for v2.SecureRequest.
type SecureRequest struct {
	Request   []byte `json:"request"`
	Signature string `json:"signature"`
	SignerJWT string `json:"signer"`
}

// SecurityProvider is a reduced stand-in for inter.SecurityProvider.
type SecurityProvider interface {
	IsRemoteSigning() bool
	RemoteSignRequest(ctx context.Context, request []byte) (signed []byte, err error)
}

// aaaSigner is a stand-in for the aaasvc remote signer: it POSTs the request to the signing service.
type aaaSigner struct {
	url    string
	client *http.Client
}

func (s *aaaSigner) IsRemoteSigning() bool { return true }

func (s *aaaSigner) RemoteSignRequest(ctx context.Context, request []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(request))
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// NewRemoteSignedSecureRequest is a NewSecureRequest that delegates the signing to a remote signer like aaasvc
func NewRemoteSignedSecureRequest(ctx context.Context, request *Request, security SecurityProvider) (*SecureRequest, error) {
	reqj, err := request.JSON()
	if err != nil {
		return nil, err
	}

	secj, err := security.RemoteSignRequest(ctx, reqj)
	if err != nil {
		return nil, err
	}

	secure := &SecureRequest{}
	err = json.Unmarshal(secj, &secure)
	if err != nil {
		return nil, fmt.Errorf("could not parse signed request: %s", err)
	}

	if secure.SignerJWT == "" {
		return nil, fmt.Errorf("remote signer did not set a signer JWT")
	}

	return secure, nil
}

// Framework is a reduced stand-in for choria.Framework.
type Framework struct {
	security SecurityProvider
}

// NewSecureRequest creates a new SecureRequest with the given Request message as payload
func (fw *Framework) NewSecureRequest(ctx context.Context, request *Request) (*SecureRequest, error) {
	if fw.security.IsRemoteSigning() {
		return NewRemoteSignedSecureRequest(ctx, request, fw.security)
	}
	return &SecureRequest{}, nil
}

// NewRequestTransportForMessage creates a new versioned Transport message based on a Message
func (fw *Framework) NewRequestTransportForMessage(ctx context.Context, msg *Message) ([]byte, error) {
	req := &Request{Agent: msg.Agent, Message: msg.Payload}

	sr, err := fw.NewSecureRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sr)
}

// Message is a reduced stand-in for message.Message.
type Message struct {
	Agent   string
	Payload string
	choria  *Framework
}

// Transport creates a TransportMessage suitable for sending
func (m *Message) Transport(ctx context.Context) ([]byte, error) {
	return m.UncachedRequestTransport(ctx)
}

func (m *Message) UncachedRequestTransport(ctx context.Context) ([]byte, error) {
	if m.Agent == "" {
		return nil, errors.New("cannot create a Request Transport without an agent")
	}
	return m.choria.NewRequestTransportForMessage(ctx, m)
}

// Connection is a reduced stand-in for choria.Connection.
type Connection struct {
	fw   *Framework
	conn net.Conn
	ctx  context.Context
}

// NewConnector creates a new connection to the middleware
func (fw *Framework) NewConnector(ctx context.Context, addr string) (*Connection, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn := &Connection{
		fw:   fw,
		conn: nc,
		ctx:  ctx,
	}
	return conn, nil
}

// Publish inspects a Message and publish it according to its Type
func (conn *Connection) Publish(msg *Message) error {
	transport, err := msg.Transport(conn.ctx)
	if err != nil {
		return err
	}
	_, err = conn.conn.Write(transport)
	return err
}
