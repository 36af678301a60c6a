// Recall case nd-telegraf-dovecot-dial
// Source: github.com/influxdata/telegraf commit 7416d6ea71e8afbbaafcc37eaa727793acf474fc (plugins/inputs/dovecot/dovecot.go)
// Link: https://github.com/influxdata/telegraf/pull/771
// Bug: gatherServer (run per server in a goroutine from Gather) connects with net.Dial and then io.Copy-reads the whole reply with no deadline, so an unreachable or silent dovecot blocks Gather forever.
// Fix: dial with net.DialTimeout(..., defaultTimeout) and c.SetDeadline(now+defaultTimeout) before writing/reading.
// Rule: nodeadline
package dovecot

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

var defaultTimeout = time.Second * time.Duration(5)

type Dovecot struct {
	Servers []string
}

// Reads stats from all configured servers.
func (d *Dovecot) Gather() error {
	var wg sync.WaitGroup
	var outerr error
	for _, serv := range d.Servers {
		wg.Add(1)
		go func(serv string) {
			defer wg.Done()
			outerr = d.gatherServer(serv)
		}(serv)
	}
	wg.Wait()
	return outerr
}

func (d *Dovecot) gatherServer(addr string) error {
	_, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("Error: %s on url %s\n", err, addr)
	}

	c, err := net.DialTimeout("tcp", addr, defaultTimeout)
	if err != nil {
		return fmt.Errorf("Unable to connect to dovecot server '%s': %s", addr, err)
	}
	defer c.Close()

	// Extend connection
	c.SetDeadline(time.Now().Add(defaultTimeout))

	c.Write([]byte("EXPORT\tdomain\n\n"))
	var buf bytes.Buffer
	io.Copy(&buf, c)

	return gatherStats(&buf)
}

func gatherStats(buf *bytes.Buffer) error {
	if buf.Len() == 0 {
		return fmt.Errorf("empty reply")
	}
	return nil
}
