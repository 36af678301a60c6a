// Recall case tl-gvisor-runrunsc
// Source: github.com/google/gvisor commit a2b3b67b3f543a54ab0f09500b6c9e18bc33097f (test/runner/runner.go)
// Link: https://github.com/google/gvisor/commit/a2b3b67b3f543a54ab0f09500b6c9e18bc33097f
// Bug: On SIGTERM, a goroutine runs "runsc debug --stacks" and then sends on the unbuffered done channel; the receiver selects on time.After(3s) and stops listening on timeout, so the sender blocks forever and the goroutine leaks.
// Fix: done is created with a buffer of one (make(chan bool, 1)) so the send never blocks.
// Rule: timeoutleak
package runner

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// runRunsc runs spec in runsc in a standard test configuration.
func runRunsc(runscPath, name, bundleDir, id string, args []string) error {
	rArgs := append(args, "run", "--bundle", bundleDir, id)
	cmd := exec.Command(runscPath, rArgs...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go func() {
		s, ok := <-sig
		if !ok {
			return
		}
		log.Printf("%s: Got signal: %v", name, s)
		done := make(chan bool, 1)
		dArgs := append([]string{}, args...)
		dArgs = append(dArgs, "-alsologtostderr=true", "debug", "--stacks", id)
		go func(dArgs []string) {
			cmd := exec.Command(runscPath, dArgs...)
			cmd.Stdout = os.Stdout
			cmd.Stderr = os.Stderr
			cmd.Run()
			done <- true
		}(dArgs)

		timeout := time.After(3 * time.Second)
		select {
		case <-timeout:
			log.Printf("runsc debug --stacks is timeouted")
		case <-done:
		}

		log.Printf("Send SIGTERM to the sandbox process")
		dArgs = append(args, "debug",
			fmt.Sprintf("--signal=%d", syscall.SIGTERM),
			id)
		cmd := exec.Command(runscPath, dArgs...)
		cmd.Stdout = os.Stdout
		cmd.Stderr = os.Stderr
		cmd.Run()
	}()

	err := cmd.Run()

	signal.Stop(sig)
	close(sig)

	return err
}
