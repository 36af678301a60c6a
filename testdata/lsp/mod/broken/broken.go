// Package broken does not type-check: the server says so in the log and
// publishes no findings.
package broken

func Broken() int {
	return undefinedName
}
