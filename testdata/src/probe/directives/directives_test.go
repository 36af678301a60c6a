package directives

// A stale directive in a test file is not reported: tests are not judged
// by default, so it cannot be known to be stale.
func inTest() {
	//deadlinelint:ignore nodeadline tests are not judged
	_ = 2
}
