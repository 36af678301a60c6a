// Recall case nd-govmomi-download
// Source: github.com/vmware/govmomi commit 54b160b2c05a1e30445f095c22d21ebf6ffa6f84 (vim25/soap/client.go, object/datastore.go)
// Link: https://github.com/vmware/govmomi/commit/54b160b2c05a1e30445f095c22d21ebf6ffa6f84
// Bug: Datastore.Download(ctx) calls soap Client.Download -> DownloadRequest, which builds the GET with http.NewRequest (no ctx) and sends it on the embedded http.Client that has no Timeout, so a stalled ESX/vCenter download blocks forever and ignores the caller's deadline
// Fix: Download/DownloadRequest take a ctx and attach it with req.WithContext(ctx); Datastore.Download passes its ctx through
// Rule: nodeadline
package govmomi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Datastore is the reduced object.Datastore.
type Datastore struct {
	c    *Client
	name string

	DatacenterPath string
}

func NewDatastore(c *Client, name string) *Datastore {
	return &Datastore{c: c, name: name}
}

func (d Datastore) Client() *Client {
	return d.c
}

func (d Datastore) Name() string {
	return d.name
}

// NewURL constructs a url.URL with the given file path for datastore access over HTTP.
func (d Datastore) NewURL(path string) *url.URL {
	u := d.c.URL()

	return &url.URL{
		Scheme: u.Scheme,
		Host:   u.Host,
		Path:   fmt.Sprintf("/folder/%s", path),
		RawQuery: url.Values{
			"dcPath": []string{d.DatacenterPath},
			"dsName": []string{d.Name()},
		}.Encode(),
	}
}

// ServiceTicket is reduced to the branch where no host service ticket is
// used and vCenter chooses the host (the SOAP AcquireGenericServiceTicket
// path is cut).
func (d Datastore) ServiceTicket(ctx context.Context, path string, method string) (*url.URL, *http.Cookie, error) {
	u := d.NewURL(path)
	return u, nil, nil
}

func (d Datastore) downloadTicket(ctx context.Context, path string, param *Download) (*url.URL, *Download, error) {
	p := DefaultDownload
	if param != nil {
		p = *param // copy
	}

	u, ticket, err := d.ServiceTicket(ctx, path, p.Method)
	if err != nil {
		return nil, nil, err
	}

	p.Ticket = ticket

	return u, &p, nil
}

// Download via soap.Download with an http service ticket
func (d Datastore) Download(ctx context.Context, path string, param *Download) (io.ReadCloser, int64, error) {
	u, p, err := d.downloadTicket(ctx, path, param)
	if err != nil {
		return nil, 0, err
	}
	return d.Client().Download(u, p)
}
