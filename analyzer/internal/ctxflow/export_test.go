package ctxflow

import "io"

// SetStepGuard lowers the per-query step budget and redirects the give-up
// notes, for the test of the guard; it returns a function that restores both.
func SetStepGuard(steps int, w io.Writer) (restore func()) {
	oldSteps, oldNotes := maxSteps, notes
	maxSteps, notes = steps, w
	return func() { maxSteps, notes = oldSteps, oldNotes }
}
