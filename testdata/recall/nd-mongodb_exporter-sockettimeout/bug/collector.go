// Recall case nd-mongodb_exporter-sockettimeout
// Source: github.com/percona/mongodb_exporter commit b836caac04426afce8d7b1307bb0935a0a804e19 (shared/connection.go, collector/mongodb_collector.go)
// Link: https://github.com/percona/mongodb_exporter/pull/79
// Bug: shared.MongoSession calls session.SetSocketTimeout(0), so every command run by MongodbCollector.scrape (buildinfo, isMaster, serverStatus) reads the socket with no deadline and a stalled mongod hangs the scrape forever.
// Fix: SetSocketTimeout(dialMongodbTimeout) instead of 0, so socket reads/writes get a deadline.
// Rule: nodeadline
package mongoexp

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// Minimal stand-in for gopkg.in/mgo.v2: a session owns one socket; every
// command sets the socket deadline from the session's socket timeout exactly
// like mgo's mongoSocket.updateDeadline (timeout 0 => zero time => no deadline).
// ---------------------------------------------------------------------------

type DialInfo struct {
	Addrs   []string
	Direct  bool
	Timeout time.Duration
}

func ParseURL(uri string) (*DialInfo, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, errors.New("no reachable servers")
	}
	return &DialInfo{Addrs: strings.Split(u.Host, ",")}, nil
}

type Session struct {
	mu            sync.Mutex
	conn          net.Conn
	rd            *bufio.Reader
	syncTimeout   time.Duration
	socketTimeout time.Duration
}

// DialWithInfo mirrors mgo.DialWithInfo: dial bounded by info.Timeout, and the
// new session gets mgo's default 1 minute sync/socket timeouts.
func DialWithInfo(info *DialInfo) (*Session, error) {
	d := net.Dialer{Timeout: info.Timeout}
	conn, err := d.Dial("tcp", info.Addrs[0])
	if err != nil {
		return nil, err
	}
	return &Session{conn: conn, rd: bufio.NewReader(conn), syncTimeout: time.Minute, socketTimeout: time.Minute}, nil
}

func (s *Session) SetSyncTimeout(d time.Duration) { s.mu.Lock(); s.syncTimeout = d; s.mu.Unlock() }

func (s *Session) SetSocketTimeout(d time.Duration) { s.mu.Lock(); s.socketTimeout = d; s.mu.Unlock() }

func (s *Session) Close() { _ = s.conn.Close() }

// Run sends one command and reads one reply line (stand-in for the wire protocol).
func (s *Session) Run(cmd string, result map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var when time.Time
	if s.socketTimeout > 0 {
		when = time.Now().Add(s.socketTimeout)
	}
	if err := s.conn.SetDeadline(when); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.conn, "%s\n", cmd); err != nil {
		return err
	}
	line, err := s.rd.ReadString('\n')
	if err != nil {
		return err
	}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			result[k] = v
		}
	}
	return nil
}

func (s *Session) BuildInfo() (map[string]string, error) {
	info := map[string]string{}
	err := s.Run("buildinfo", info)
	return info, err
}

// ---------------------------------------------------------------------------
// shared/connection.go
// ---------------------------------------------------------------------------

const (
	dialMongodbTimeout = 3 * time.Second
	syncMongodbTimeout = 1 * time.Minute
)

type MongoSessionOpts struct {
	URI string
}

func MongoSession(opts MongoSessionOpts) *Session {
	dialInfo, err := ParseURL(opts.URI)
	if err != nil {
		log.Printf("Cannot parse mongodb server url: %s", err)
		return nil
	}

	dialInfo.Direct = true // Force direct connection
	dialInfo.Timeout = dialMongodbTimeout

	session, err := DialWithInfo(dialInfo)
	if err != nil {
		log.Printf("Cannot connect to server using url %s: %s", opts.URI, err)
		return nil
	}
	session.SetSyncTimeout(syncMongodbTimeout)
	session.SetSocketTimeout(0)
	return session
}

func MongoSessionServerVersion(session *Session) (string, error) {
	buildInfo, err := session.BuildInfo()
	if err != nil {
		log.Printf("Could not get MongoDB BuildInfo: %s!", err)
		return "unknown", err
	}
	return buildInfo["version"], nil
}

func MongoSessionNodeType(session *Session) (string, error) {
	masterDoc := map[string]string{}
	err := session.Run("isMaster", masterDoc)
	if err != nil {
		log.Printf("Got unknown node type: %s", err)
		return "unknown", err
	}
	if masterDoc["setName"] != "" || masterDoc["hosts"] != "" {
		return "replset", nil
	} else if masterDoc["msg"] == "isdbgrid" {
		return "mongos", nil
	}
	return "mongod", nil
}

// ---------------------------------------------------------------------------
// collector/mongod/server_status.go
// ---------------------------------------------------------------------------

func GetServerStatus(session *Session) map[string]string {
	result := map[string]string{}
	err := session.Run("serverStatus", result)
	if err != nil {
		log.Printf("Failed to get server status: %s", err)
		return nil
	}
	return result
}

// ---------------------------------------------------------------------------
// collector/mongodb_collector.go
// ---------------------------------------------------------------------------

type Metric struct {
	Name  string
	Value string
}

type MongodbCollectorOpts struct {
	URI string
}

func (in MongodbCollectorOpts) toSessionOps() MongoSessionOpts {
	return MongoSessionOpts{URI: in.URI}
}

type MongodbCollector struct {
	Opts         MongodbCollectorOpts
	scrapesTotal int
	lastError    bool
}

func NewMongodbCollector(opts MongodbCollectorOpts) *MongodbCollector {
	return &MongodbCollector{Opts: opts}
}

// Collect is called by the Prometheus registry when collecting metrics.
func (exporter *MongodbCollector) Collect(ch chan<- Metric) {
	exporter.scrape(ch)
}

func (exporter *MongodbCollector) scrape(ch chan<- Metric) {
	exporter.scrapesTotal++
	var err error
	defer func() { exporter.lastError = err != nil }()

	mongoSess := MongoSession(exporter.Opts.toSessionOps())
	if mongoSess == nil {
		err = errors.New("can't create mongo session")
		return
	}
	defer mongoSess.Close()

	var serverVersion string
	serverVersion, err = MongoSessionServerVersion(mongoSess)
	if err != nil {
		log.Printf("Problem gathering the mongo server version: %s", err)
		return
	}

	var nodeType string
	nodeType, err = MongoSessionNodeType(mongoSess)
	if err != nil {
		log.Printf("Problem gathering the mongo node type: %s", err)
		return
	}

	log.Printf("Connected to: %s (node type: %s, server version: %s)", exporter.Opts.URI, nodeType, serverVersion)
	switch nodeType {
	case "mongod", "replset", "mongos":
		exporter.collectMongod(mongoSess, ch)
	default:
		err = fmt.Errorf("Unrecognized node type %s", nodeType)
		log.Print(err)
	}
}

func (exporter *MongodbCollector) collectMongod(session *Session, ch chan<- Metric) {
	serverStatus := GetServerStatus(session)
	for k, v := range serverStatus {
		ch <- Metric{Name: k, Value: v}
	}
}
