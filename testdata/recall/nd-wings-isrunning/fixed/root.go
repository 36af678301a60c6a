// Recall case nd-wings-isrunning
// Source: github.com/pterodactyl/wings commit ee91224eb68b9e9775cf7ea1fe3e18a879184cf3 (cmd/root.go)
// Link: https://github.com/pterodactyl/wings/commit/ee91224eb68b9e9775cf7ea1fe3e18a879184cf3
// Bug: During boot, every server's Environment.IsRunning() and Attach() call the Docker API (ContainerInspect/ContainerAttach) with context.Background(), so a hung Docker daemon blocks the Wings boot forever.
// Fix: rootCmdRun creates context.WithTimeout(cmd.Context(), 30s) per server and IsRunning/Attach take that ctx and pass it to the Docker calls.
// Rule: nodeadline
package wings

import (
	"context"
	"log"
	"sync"
	"time"
)

// Server is a reduced stand-in for server.Server.
type Server struct {
	id          string
	Environment ProcessEnvironment
	running     bool
	start       func() error
}

func (s *Server) ID() string               { return s.id }
func (s *Server) IsRunning() bool          { return s.running }
func (s *Server) HandlePowerAction() error { return s.start() }

// Command is a minimal stand-in for cobra.Command.
type Command struct{ ctx context.Context }

func (c *Command) Context() context.Context { return c.ctx }

func rootCmdRun(cmd *Command, servers []*Server, states map[string]string) {
	// Limit us to 4 servers being bootstrapped at a time (stand-in for workerpool.New(4)).
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, serv := range servers {
		s := serv

		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()

			log.Printf("[%s] configuring server environment and restoring to previous state", s.ID())
			var st string
			if state, exists := states[s.ID()]; exists {
				st = state
			}

			// Use a timed context here to avoid booting issues where Docker hangs for a
			// specific container that would cause Wings to be un-bootable until the entire
			// machine is rebooted. It is much better for us to just have a single failed
			// server instance than an entire offline node.
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Second*30)
			defer cancel()

			r, err := s.Environment.IsRunning(ctx)
			// We ignore missing containers because we don't want to actually block booting of wings at this
			// point.
			if err != nil && !IsErrNotFound(err) {
				log.Printf("[%s] error checking server environment status: %v", s.ID(), err)
			}

			if !r && (st == ProcessRunningState || st == ProcessStartingState) {
				if err := s.HandlePowerAction(); err != nil {
					log.Printf("[%s] failed to return server to running state: %v", s.ID(), err)
				}
			} else if r || (!r && s.IsRunning()) {
				log.Printf("[%s] detected server is running, re-attaching to process...", s.ID())

				s.Environment.SetState(ProcessRunningState)
				if err := s.Environment.Attach(ctx); err != nil {
					log.Printf("[%s] failed to attach to running server environment: %v", s.ID(), err)
				}
			} else {
				s.Environment.SetState(ProcessOfflineState)
			}
		}()
	}

	// Wait until all the servers are ready to go before we fire up the SFTP and HTTP servers.
	wg.Wait()
}
