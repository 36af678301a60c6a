// Recall case nd-node_exporter-systemd-dbus
// Source: github.com/prometheus/node_exporter commit 1680bad17c238e8601f39aab0b4c38f4a12992bd (collector/systemd_linux.go)
// Link: https://github.com/prometheus/node_exporter/pull/3648
// Bug: systemdCollector.Update -> getAllUnits / collectSockets hand context.TODO() to the D-Bus calls ListUnitsContext and GetUnitTypePropertyContext, so a wedged systemd/dbus blocks the scrape forever.
// Fix: Update creates ctx via context.WithTimeout(context.Background(), *systemdDbusTimeout) and threads it into getAllUnits and the collect* helpers instead of context.TODO().
// Rule: nodeadline
package systemd

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// Minimal stand-in for github.com/coreos/go-systemd/v22/dbus over the system
// bus socket. Like godbus CallWithContext, a call waits until the reply
// arrives or ctx is done; the stub maps ctx's deadline/cancellation onto the
// socket and adds no deadline of its own.
// ---------------------------------------------------------------------------

const systemBusSocket = "/var/run/dbus/system_bus_socket"

type UnitStatus struct {
	Name        string
	LoadState   string
	ActiveState string
}

type Property struct {
	Name  string
	Value uint32
}

type Conn struct {
	mu   sync.Mutex
	conn net.Conn
	rd   *bufio.Reader
}

// NewSystemConnection dials the system bus the way godbus does (net.DialUnix).
func NewSystemConnection() (*Conn, error) {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: systemBusSocket, Net: "unix"})
	if err != nil {
		return nil, err
	}
	return &Conn{conn: c, rd: bufio.NewReader(c)}, nil
}

func (c *Conn) Close() { _ = c.conn.Close() }

func (c *Conn) call(ctx context.Context, method string, args ...string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dl, _ := ctx.Deadline() // zero time (no deadline) when ctx has none
	if err := c.conn.SetDeadline(dl); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := fmt.Fprintf(c.conn, "%s %s\n", method, strings.Join(args, " ")); err != nil {
		return "", err
	}
	line, err := c.rd.ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (c *Conn) ListUnitsContext(ctx context.Context) ([]UnitStatus, error) {
	reply, err := c.call(ctx, "ListUnits")
	if err != nil {
		return nil, err
	}
	var units []UnitStatus
	for _, rec := range strings.Split(reply, ";") {
		f := strings.Split(rec, ",")
		if len(f) == 3 {
			units = append(units, UnitStatus{Name: f[0], LoadState: f[1], ActiveState: f[2]})
		}
	}
	return units, nil
}

func (c *Conn) GetUnitTypePropertyContext(ctx context.Context, unit, unitType, propertyName string) (*Property, error) {
	reply, err := c.call(ctx, "GetUnitTypeProperty", unit, unitType, propertyName)
	if err != nil {
		return nil, err
	}
	v, err := strconv.ParseUint(reply, 10, 32)
	if err != nil {
		return nil, err
	}
	return &Property{Name: propertyName, Value: uint32(v)}, nil
}

// ---------------------------------------------------------------------------
// collector/systemd_linux.go (reduced)
// ---------------------------------------------------------------------------

type Metric struct {
	Name  string
	Value float64
	Label string
}

var systemdDbusTimeout = func() *time.Duration { d := 5 * time.Second; return &d }()

type systemdCollector struct {
	systemdUnitIncludePattern *regexp.Regexp
	systemdUnitExcludePattern *regexp.Regexp
	logger                    *slog.Logger
}

func NewSystemdCollector(logger *slog.Logger) *systemdCollector {
	return &systemdCollector{
		systemdUnitIncludePattern: regexp.MustCompile("^(?:.+)$"),
		systemdUnitExcludePattern: regexp.MustCompile(`^(?:.+\.(automount|device|mount|scope|slice))$`),
		logger:                    logger,
	}
}

type unit struct {
	UnitStatus
}

// Update gathers metrics from systemd.  Dbus collection is done in parallel
// to reduce wait time for responses.
func (c *systemdCollector) Update(ch chan<- Metric) error {
	begin := time.Now()
	conn, err := newSystemdDbusConn()
	if err != nil {
		return fmt.Errorf("couldn't get dbus connection: %w", err)
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *systemdDbusTimeout)
	defer cancel()

	allUnits, err := c.getAllUnits(ctx, conn)
	if err != nil {
		return fmt.Errorf("couldn't get units: %w", err)
	}
	c.logger.Debug("getAllUnits took", "duration_seconds", time.Since(begin).Seconds())

	units := filterUnits(allUnits, c.systemdUnitIncludePattern, c.systemdUnitExcludePattern, c.logger)

	var wg sync.WaitGroup
	defer wg.Wait()

	wg.Add(1)
	go func() {
		defer wg.Done()
		begin := time.Now()
		c.collectSockets(ctx, conn, ch, units)
		c.logger.Debug("collectSockets took", "duration_seconds", time.Since(begin).Seconds())
	}()

	return nil
}

func (c *systemdCollector) collectSockets(ctx context.Context, conn *Conn, ch chan<- Metric, units []unit) {
	for _, unit := range units {
		if !strings.HasSuffix(unit.Name, ".socket") {
			continue
		}

		acceptedConnectionCount, err := conn.GetUnitTypePropertyContext(ctx, unit.Name, "Socket", "NAccepted")
		if err != nil {
			c.logger.Debug("couldn't get unit NAccepted", "unit", unit.Name, "err", err)
			continue
		}
		ch <- Metric{Name: "socket_accepted_connections_total", Value: float64(acceptedConnectionCount.Value), Label: unit.Name}

		currentConnectionCount, err := conn.GetUnitTypePropertyContext(ctx, unit.Name, "Socket", "NConnections")
		if err != nil {
			c.logger.Debug("couldn't get unit NConnections", "unit", unit.Name, "err", err)
			continue
		}
		ch <- Metric{Name: "socket_current_connections", Value: float64(currentConnectionCount.Value), Label: unit.Name}

		// NRefused wasn't added until systemd 239.
		refusedConnectionCount, err := conn.GetUnitTypePropertyContext(ctx, unit.Name, "Socket", "NRefused")
		if err == nil {
			ch <- Metric{Name: "socket_refused_connections_total", Value: float64(refusedConnectionCount.Value), Label: unit.Name}
		}
	}
}

func newSystemdDbusConn() (*Conn, error) {
	return NewSystemConnection()
}

func (c *systemdCollector) getAllUnits(ctx context.Context, conn *Conn) ([]unit, error) {
	allUnits, err := conn.ListUnitsContext(ctx)
	if err != nil {
		return nil, err
	}

	result := make([]unit, 0, len(allUnits))
	for _, status := range allUnits {
		result = append(result, unit{UnitStatus: status})
	}

	return result, nil
}

func filterUnits(units []unit, includePattern, excludePattern *regexp.Regexp, logger *slog.Logger) []unit {
	filtered := make([]unit, 0, len(units))
	for _, unit := range units {
		if includePattern.MatchString(unit.Name) && !excludePattern.MatchString(unit.Name) && unit.LoadState == "loaded" {
			logger.Debug("Adding unit", "unit", unit.Name)
			filtered = append(filtered, unit)
		} else {
			logger.Debug("Ignoring unit", "unit", unit.Name)
		}
	}

	return filtered
}
