// Package exits holds the functions that never return and their twins that
// do, for the noreturn facts.
package exits

import (
	"log"
	"os"
	"testing"
)

func fatal(msg string) { // want fatal:"noReturn"
	log.Fatal(msg)
}

func exit() { // want exit:"noReturn"
	os.Exit(2)
}

func spins() { // want spins:"noReturn"
	for {
	}
}

func panics() { // want panics:"noReturn"
	panic("unreachable")
}

// Through an interface method the knowledge table names.
func mustSucceed(t testing.TB, err error) { // want mustSucceed:"noReturn"
	t.Fatal(err)
}

// Through a function of the package, declared after its caller.
func viaLater() { // want viaLater:"noReturn"
	later()
}

func later() { // want later:"noReturn"
	exit()
}

// Returns on some path, or only calls through a function value.
func sometimes(fail bool) {
	if fail {
		os.Exit(1)
	}
}

func viaValue(f func()) {
	f()
}

// Mutually recursive: the cycle is broken, neither is proved to never
// return by the other.
func ping(n int) {
	if n > 0 {
		pong(n - 1)
	}
}

func pong(n int) { ping(n) }
