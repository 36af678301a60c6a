// Recall case nd-daytona-tailscaleup
// Source: github.com/daytonaio/daytona commit da7e56672bc47424f449cd2bc9cff580995aa227 (internal/tailscale/connection.go)
// Link: https://github.com/daytonaio/daytona/commit/da7e56672bc47424f449cd2bc9cff580995aa227
// Bug: GetConnection calls s.Up(context.Background()), so tsnet's wait for the node to reach Running (a streaming call to the control server) has no deadline and the CLI hangs forever when the server is unreachable
// Fix: GetConnection passes context.WithTimeout(context.Background(), 30*time.Second) to s.Up
// Rule: nodeadline
package tailscale

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// Profile is reduced to the values GetConnection needs; upstream resolves
// ControlURL and AuthKey through the Daytona server API (cut here).
type Profile struct {
	ConfigDir  string
	ControlURL string
	NetworkKey string
	CliID      string
}

var s *tsnetServer = nil

func GetConnection(profile *Profile) (*tsnetServer, error) {
	if s != nil {
		return s, nil
	}
	s = &tsnetServer{}

	cliId := profile.CliID
	s.Hostname = fmt.Sprintf("cli-%s", cliId)
	s.ControlURL = profile.ControlURL
	s.AuthKey = profile.NetworkKey
	s.Ephemeral = true
	s.Dir = filepath.Join(profile.ConfigDir, "tailscale", cliId)
	s.Logf = func(format string, args ...any) {}

	timeoutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	_, err := s.Up(timeoutCtx)
	if err != nil {
		return nil, err
	}

	return s, nil
}
