package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// printVersion answers -V=full itself, before multichecker sees it, so that
// users get the module version. go vet parses this line: it needs
// "NAME version …devel… buildID=ID" and keys its cache on ID, which must
// change with the executable.
func printVersion() {
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	id := "unknown"
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				id = fmt.Sprintf("%x", h.Sum(nil))
			}
			f.Close()
		}
	}
	fmt.Printf("deadlinelint version devel module=%s %s buildID=%s\n", version, runtime.Version(), id)
}

func wantsVersion(args []string) bool {
	for _, a := range args {
		switch a {
		case "-V=full", "--V=full", "-V", "--V", "-version", "--version":
			return true
		}
	}
	return false
}
