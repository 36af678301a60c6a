// Package errors is a stub of github.com/pkg/errors: its wrappers return
// nil for a nil error and unwrap (v0.9).
package errors

import "fmt"

type withMessage struct {
	cause error
	msg   string
}

func (w *withMessage) Error() string { return w.msg + ": " + w.cause.Error() }
func (w *withMessage) Unwrap() error { return w.cause }

func Wrap(err error, message string) error {
	if err == nil {
		return nil
	}
	return &withMessage{cause: err, msg: message}
}

func Wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &withMessage{cause: err, msg: fmt.Sprintf(format, args...)}
}

func WithMessage(err error, message string) error { return Wrap(err, message) }

func WithStack(err error) error { return err }

func New(message string) error { return fmt.Errorf("%s", message) }

func WithMessagef(err error, format string, args ...any) error {
	return Wrapf(err, format, args...)
}
