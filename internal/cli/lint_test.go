package cli

import (
	"bytes"
	"reflect"
	"testing"
)

// TestParseVetStderr: what go vet prints on stderr becomes package errors,
// except the go command's download progress and the vet tool's notes,
// which are passed on once and do not fail the run.
func TestParseVetStderr(t *testing.T) {
	in := "go: downloading github.com/xdg-go/scram v1.1.2\n" +
		"# example.com/m/broken\n" +
		"vet: broken/broken.go:6:9: undefined: undefinedName\n" +
		"# example.com/m/slow [example.com/m/slow.test]\n" +
		"deadlinelint: note: abandoned a search in slow.F\n" +
		"deadlinelint: note: abandoned a search in slow.F\n" +
		"\n"
	var passed bytes.Buffer
	errs := parseVetStderr([]byte(in), &passed)
	want := []PackageError{{Package: "example.com/m/broken", Message: "broken/broken.go:6:9: undefined: undefinedName"}}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors = %+v, want %+v", errs, want)
	}
	if got, want := passed.String(), "go: downloading github.com/xdg-go/scram v1.1.2\ndeadlinelint: note: abandoned a search in slow.F\n"; got != want {
		t.Errorf("passed on = %q, want %q", got, want)
	}
}
