// Recall case nd-groupcache-httpgetter
// Source: github.com/golang/groupcache commit 8c9f03a8e57eb486e42badaed3fb287da51807ba (http.go)
// Link: https://github.com/golang/groupcache/commit/8c9f03a8e57eb486e42badaed3fb287da51807ba
// Bug: httpGetter.Get receives a context but builds the peer request with http.NewRequest and sends it through http.DefaultTransport.RoundTrip, so the HTTP call to the peer has no deadline and cannot be cancelled by the caller.
// Fix: the request is bound to the caller's ctx with req.WithContext(ctx) before RoundTrip.
// Rule: nodeadline
package groupcache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// GetRequest / GetResponse stand in for the groupcachepb protobuf messages.
type GetRequest struct {
	Group *string
	Key   *string
}

func (m *GetRequest) GetGroup() string {
	if m != nil && m.Group != nil {
		return *m.Group
	}
	return ""
}

func (m *GetRequest) GetKey() string {
	if m != nil && m.Key != nil {
		return *m.Key
	}
	return ""
}

type GetResponse struct {
	Value []byte
}

// ProtoGetter is the interface that must be implemented by a peer.
type ProtoGetter interface {
	Get(context context.Context, in *GetRequest, out *GetResponse) error
}

type httpGetter struct {
	transport func(context.Context) http.RoundTripper
	baseURL   string
}

var _ ProtoGetter = (*httpGetter)(nil)

var bufferPool = sync.Pool{
	New: func() interface{} { return new(bytes.Buffer) },
}

func (h *httpGetter) Get(context context.Context, in *GetRequest, out *GetResponse) error {
	u := fmt.Sprintf(
		"%v%v/%v",
		h.baseURL,
		url.QueryEscape(in.GetGroup()),
		url.QueryEscape(in.GetKey()),
	)
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport
	if h.transport != nil {
		tr = h.transport(context)
	}
	res, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("server returned: %v", res.Status)
	}
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	defer bufferPool.Put(b)
	_, err = io.Copy(b, res.Body)
	if err != nil {
		return fmt.Errorf("reading response body: %v", err)
	}
	err = json.Unmarshal(b.Bytes(), out)
	if err != nil {
		return fmt.Errorf("decoding response body: %v", err)
	}
	return nil
}
