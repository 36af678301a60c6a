// Package status is a stub of google.golang.org/grpc/status for tests.
package status

import "google.golang.org/grpc/codes"

type statusError struct {
	code codes.Code
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func Error(c codes.Code, msg string) error { return &statusError{c, msg} }

func Errorf(c codes.Code, format string, a ...any) error { return &statusError{c, format} }
