package a

import (
	"errors"
	"io"
)

type wire struct {
	signals chan struct{}
}

func (w *wire) receive() (string, error) { return "", errors.New("closed") }

// A polling loop (a select with a default) that leaves through another
// case without receiving the goroutine's result: pgx's CopyFrom before
// its fix (the error channel got a buffer of one).
func (w *wire) copyFrom(r io.Reader) error {
	copyErr := make(chan error) // want `goroutine sends on this unbuffered channel, but the select stops waiting when case <-w.signals is chosen`
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				copyErr <- err
				return
			}
		}
	}()
	var err error
	for err == nil {
		select {
		case err = <-copyErr:
		case <-w.signals:
			if _, rerr := w.receive(); rerr != nil {
				return rerr
			}
		default:
		}
	}
	return err
}

// The same loop whose other case only records what it saw: every path
// goes round to the select again, which drains the channel.
func (w *wire) copyFromDrained(r io.Reader) error {
	copyErr := make(chan error)
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				copyErr <- err
				return
			}
		}
	}()
	var signalled int
	for {
		select {
		case err := <-copyErr:
			return err
		case <-w.signals:
			signalled++
		default:
		}
	}
}
