// Recall case sc-natscli-publisher
// Source: github.com/nats-io/natscli commit a31fa40638669812fa7c99d3568cbe3167f215a5 (internal/util/publisher.go)
// Link: https://github.com/nats-io/natscli/commit/a31fa40638669812fa7c99d3568cbe3167f215a5
// Bug: when the context is cancelled while the publish/request callback runs, Publisher.Run returns fmt.Errorf("interrupted"), replacing context.Canceled/DeadlineExceeded with a new error that callers cannot match with errors.Is.
// Fix: Run returns ctx.Err() (and closes the stdin pipe with CloseWithError(ctx.Err())).
// Rule: swallowcancel
package util

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Publisher manages stdin reading for pub and req commands and calls their
// respective execution callbacks
type Publisher struct {
	UseStdin bool

	reader    *bufio.Reader
	stdinPipe *io.PipeReader
	sendOn    string
}

// PublisherConfig contains options for creating a new Publisher
type PublisherConfig struct {
	BodyIsSet  bool
	ForceStdin bool
}

// NewPublisher sets up stdin
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	p := &Publisher{sendOn: "eof"}

	p.UseStdin = !cfg.BodyIsSet && cfg.ForceStdin
	if p.UseStdin {
		readPipe, writePipe := io.Pipe()
		p.stdinPipe = readPipe
		p.reader = bufio.NewReader(readPipe)
		go func() {
			_, err := io.Copy(writePipe, os.Stdin)
			if err != nil {
				writePipe.CloseWithError(err)
			} else {
				writePipe.Close()
			}
		}()
	}

	return p, nil
}

// ReadStdin reads all of stdin.
func (p *Publisher) ReadStdin() (string, bool, error) {
	if p.reader == nil {
		return "", true, nil
	}
	body, err := io.ReadAll(p.reader)
	if err != nil {
		return "", false, err
	}
	return string(body), true, nil
}

func (p *Publisher) Run(ctx context.Context, callback func() error) error {
	complete := make(chan struct{})
	errCh := make(chan error, 1)

	go func() {
		defer close(complete)
		errCh <- callback()
	}()

	select {
	case <-ctx.Done():
		if p.stdinPipe != nil {
			p.stdinPipe.CloseWithError(ctx.Err())
		}
		return ctx.Err()
	case <-complete:
		return <-errCh
	}
}

// PublishCommand is a reduced version of the pub command using the Publisher:
// the callback writes the body to a NATS server connection.
func PublishCommand(ctx context.Context, addr, subject string) error {
	p, err := NewPublisher(PublisherConfig{ForceStdin: true})
	if err != nil {
		return err
	}

	return p.Run(ctx, func() error {
		body, _, err := p.ReadStdin()
		if err != nil {
			return err
		}
		var d net.Dialer
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		conn, err := d.DialContext(dctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "PUB %s %d\r\n%s\r\n", subject, len(body), body)
		return err
	})
}
