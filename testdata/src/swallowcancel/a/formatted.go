package a

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// A context kept in a field of the receiver: a sibling method's error
// carries its cancellation (gosnmp's connect formatted netConnect's
// error, a DialContext(x.Context, …), with %s).

type snmp struct {
	Context context.Context
	Target  string
	conn    net.Conn
}

func (x *snmp) netConnect() error {
	var d net.Dialer
	conn, err := d.DialContext(x.Context, "udp", x.Target)
	x.conn = conn
	return err
}

func (x *snmp) connect() error {
	if err := x.netConnect(); err != nil {
		return fmt.Errorf("error establishing connection to host: %s", err.Error()) // want `%s formats err.Error\(\), which may be a context cancellation \(from \(\*a.snmp\).netConnect, which returns the cancellation of its receiver's context\), without wrapping it`
	}
	return nil
}

func (x *snmp) connectFixed() error {
	if err := x.netConnect(); err != nil {
		return fmt.Errorf("error establishing connection to host: %w", err)
	}
	return nil
}

// A code read off the error and compared with a constant: err is a
// particular error there (minio-go's ToErrorResponse(err).Code ==
// InvalidRange becomes io.EOF).
type responseErr struct{ Code string }

func (e responseErr) Error() string { return e.Code }

func toErrorResponse(err error) responseErr {
	var r responseErr
	errors.As(err, &r)
	return r
}

func (x *snmp) read() error {
	if err := x.netConnect(); err != nil {
		if toErrorResponse(err).Code == "InvalidRange" {
			return io.EOF
		}
		return err
	}
	return nil
}

// Another value's method: its field is not this receiver's.
func connectOther(x *snmp) error {
	if err := x.netConnect(); err != nil {
		return fmt.Errorf("connect: %s", err.Error())
	}
	return nil
}

// A copy of the error's message, wrapped: the chain holds the copy
// (go-telegram/bot masked its token in errors.New(strings.Replace(…))).

type telegram struct {
	client *http.Client
	token  string
}

func (b *telegram) rawRequest(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, errDo := b.client.Do(req)
	if errDo != nil {
		errDoC := errors.New(strings.Replace(errDo.Error(), b.token, "***", -1))
		return fmt.Errorf("error do request, %w", errDoC) // want `fmt.Errorf wrapping errors.New replaces err, which may be a context cancellation \(from \(\*http.Client\).Do\), with an error that does not wrap it`
	}
	return resp.Body.Close()
}

func (b *telegram) rawRequestFixed(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, errDo := b.client.Do(req)
	if errDo != nil {
		return fmt.Errorf("error do request, %w", errDo)
	}
	return resp.Body.Close()
}

// A constructor that formats with fmt.Sprintf stringifies every argument
// (zeebo/errs' Class.New: storj's metainfo loop).

type errClass string

func (c errClass) New(format string, args ...any) error {
	return fmt.Errorf("%s: %s", string(c), fmt.Sprintf(format, args...))
}

func (c errClass) Wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", string(c), err)
}

var loopError = errClass("metainfo loop error")

func iterate(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return loopError.New("unexpected error listing %s", err) // want `\(a.errClass\).New formats its arguments into a message with fmt.Sprintf, so err, which may be a context cancellation \(from \(\*http.Client\).Do\), is not wrapped`
	}
	return resp.Body.Close()
}

func iterateFixed(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return loopError.New("bad url %s", u)
	}
	resp, err := c.Do(req)
	if err != nil {
		return loopError.Wrap(err)
	}
	return resp.Body.Close()
}

// The same forwarder written as a literal (mongo-driver's difflib writes
// through one): it has no object to name.
func iterateLiteral(ctx context.Context, c *http.Client, u string) error {
	newErr := func(format string, args ...any) error {
		return fmt.Errorf("listing: %s", fmt.Sprintf(format, args...))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return newErr("unexpected error listing %s", err) // want `the func literal formats its arguments into a message with fmt.Sprintf, so err, which may be a context cancellation \(from \(\*http.Client\).Do\), is not wrapped`
	}
	return resp.Body.Close()
}
