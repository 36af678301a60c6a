package ctxflow

import (
	"io"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

// SetStepGuard lowers the per-query step budget and redirects the give-up
// notes, for the test of the guard; it returns a function that restores both.
func SetStepGuard(steps int, w io.Writer) (restore func()) {
	oldSteps := maxSteps
	oldNotes := lintutil.SetNotes(w)
	maxSteps = steps
	return func() { maxSteps = oldSteps; lintutil.SetNotes(oldNotes) }
}
