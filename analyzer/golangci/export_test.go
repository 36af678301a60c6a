package golangci

import "github.com/deadlinelint/deadlinelint/analyzer/suite"

// Reset forgets every setting applied so far, as a fresh golangci-lint
// process would start; tests call it between configurations.
func Reset() {
	shared.Lock()
	defer shared.Unlock()
	shared.cfg, shared.analyzers, shared.sinks = suite.Config{}, nil, nil
}
