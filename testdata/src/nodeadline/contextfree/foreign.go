package contextfree

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"database/sql/driver"
	"io"
	"net/http"
)

// remoteSigner signs through an HTTP service.
type remoteSigner struct {
	url string
	pub crypto.PublicKey
}

func (s *remoteSigner) Public() crypto.PublicKey { return s.pub }

// SignContext is the context form.
func (s *remoteSigner) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Sign implements crypto.Signer: x509.CreateCertificate calls it, and can
// pass no context. The root is Sign's own (spire's KeyManagerSigner.Sign).
func (s *remoteSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.SignContext(context.Background(), digest, opts) // want `context.Background\(\) reaches \(\*http.Client\).Do via \(\*contextfree.remoteSigner\).SignContext: the wait has no deadline`
}

func Certificate(template *x509.Certificate, s *remoteSigner) ([]byte, error) {
	return x509.CreateCertificate(rand.Reader, template, template, s.pub, s)
}

// remoteConn is a database/sql driver connection: that package offers the
// context form (driver.ConnPrepareContext) beside Prepare, and calls it when
// it is there, so Prepare stays a context-free form, judged at its callers.
type remoteConn struct{ url string }

func (c *remoteConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return nil, nil
}

func (c *remoteConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *remoteConn) Close() error { return nil }

// BeginTx takes more than Begin (its options): the driver package's
// ConnBeginTx is still Begin's context form (pgx's stdlib Conn).
func (c *remoteConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/begin", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return nil, nil
}

func (c *remoteConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func Open(url string) driver.Conn { return &remoteConn{url: url} }

// RemoteBody reads through an HTTP service, with a context form of Read.
type RemoteBody struct{ URL string }

func (b *RemoteBody) ReadContext(ctx context.Context, p []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.Body.Read(p)
}

// Read implements io.Reader, and io.Copy calls it: io has no context form
// of Read, so nobody can ever pass one, and the root is Read's own.
func (b *RemoteBody) Read(p []byte) (int, error) {
	return b.ReadContext(context.Background(), p) // want `context.Background\(\) reaches \(\*http.Client\).Do via \(\*contextfree.RemoteBody\).ReadContext: the wait has no deadline`
}

func Download(w io.Writer, b *RemoteBody) error {
	_, err := io.Copy(w, b)
	return err
}
