// Recall case nd-wings-isrunning
// Source: github.com/pterodactyl/wings commit ee91224eb68b9e9775cf7ea1fe3e18a879184cf3 (environment/environment.go)
// Link: https://github.com/pterodactyl/wings/commit/ee91224eb68b9e9775cf7ea1fe3e18a879184cf3
// Bug: During boot, every server's Environment.IsRunning() and Attach() call the Docker API (ContainerInspect/ContainerAttach) with context.Background(), so a hung Docker daemon blocks the Wings boot forever.
// Fix: rootCmdRun creates context.WithTimeout(cmd.Context(), 30s) per server and IsRunning/Attach take that ctx and pass it to the Docker calls.
// Rule: nodeadline
package wings

const (
	ProcessOfflineState  = "offline"
	ProcessStartingState = "starting"
	ProcessRunningState  = "running"
)

// ProcessEnvironment defines the basic interface that all environments need to
// implement (reduced to the methods used during boot).
type ProcessEnvironment interface {
	// Determines if the environment is currently active and running a server process
	// for this specific server instance.
	IsRunning() (bool, error)

	// Attaches to the server console environment and allows piping the output to a
	// websocket or other internal tool to monitor output. Also allows you to later
	// send data into the environment's stdin.
	Attach() error

	// Sets the current state of the environment.
	SetState(string)
}
