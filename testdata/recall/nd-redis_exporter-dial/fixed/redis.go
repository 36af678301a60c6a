// Recall case nd-redis_exporter-dial
// Source: github.com/oliver006/redis_exporter commit 16f3ea15f9bd69ce90092f320ee23ae72a434d14 (exporter/redis.go)
// Link: https://github.com/oliver006/redis_exporter/pull/72   (issue: https://github.com/oliver006/redis_exporter/issues/66)
// Bug: Exporter.scrape dials every redis addr with redis.DialURL/redis.Dial given only DialPassword, so the connect and every c.Do("INFO"...) read have no deadline and one dead target hangs Collect forever
// Fix: pass redis.DialConnectTimeout/DialReadTimeout/DialWriteTimeout(5s) in the dial options (upstream also moved the loop body into scrapeRedisHost)
// Rule: nodeadline
package exporter

import (
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reduced from exporter/redis.go: prometheus gauges are replaced by plain maps; the dial/scrape
// control flow from Collect -> scrape -> DialURL/Dial -> c.Do is kept.

// RedisHost represents a set of Redis Hosts to health check.
type RedisHost struct {
	Addrs     []string
	Passwords []string
	Aliases   []string
}

type dbKeyPair struct {
	db, key string
}

type scrapeResult struct {
	Name  string
	Value float64
	Addr  string
	Alias string
	DB    string
}

// Metric is a collected sample (stands in for prometheus.Metric).
type Metric struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Exporter exports Redis metrics.
type Exporter struct {
	redis        RedisHost
	keys         []dbKeyPair
	keyValues    map[string]float64
	keySizes     map[string]float64
	duration     float64
	scrapeErrors float64
	totalScrapes float64
	metrics      map[string]map[string]float64
	metricsMtx   sync.RWMutex
	sync.RWMutex
}

// NewRedisExporter returns a new exporter of Redis metrics.
func NewRedisExporter(host RedisHost, checkKeys string) (*Exporter, error) {
	e := Exporter{
		redis:   host,
		metrics: map[string]map[string]float64{},
	}
	for _, k := range strings.Split(checkKeys, ",") {
		db := "0"
		key := ""
		frags := strings.Split(k, "=")
		switch len(frags) {
		case 1:
			key = strings.TrimSpace(frags[0])
		case 2:
			db = strings.TrimSpace(strings.Replace(frags[0], "db", "", -1))
			key = strings.TrimSpace(frags[1])
		default:
			return nil, fmt.Errorf("invalid check key %s", k)
		}
		if key != "" {
			e.keys = append(e.keys, dbKeyPair{db, key})
		}
	}
	e.initGauges()
	return &e, nil
}

func (e *Exporter) initGauges() {
	e.keyValues = map[string]float64{}
	e.keySizes = map[string]float64{}
}

// Collect fetches new metrics from the RedisHost and updates the appropriate metrics.
func (e *Exporter) Collect(ch chan<- Metric) {
	scrapes := make(chan scrapeResult)

	e.Lock()
	defer e.Unlock()

	e.initGauges()
	go e.scrape(scrapes)
	e.setMetrics(scrapes)

	ch <- Metric{Name: "exporter_last_scrape_duration_seconds", Value: e.duration}
	ch <- Metric{Name: "exporter_scrapes_total", Value: e.totalScrapes}
	ch <- Metric{Name: "exporter_last_scrape_error", Value: e.scrapeErrors}
	e.collectMetrics(ch)
}

func (e *Exporter) extractInfoMetrics(info, addr string, alias string, scrapes chan<- scrapeResult) error {
	for _, line := range strings.Split(info, "\r\n") {
		split := strings.Split(line, ":")
		if len(split) != 2 {
			continue
		}
		val, err := strconv.ParseFloat(split[1], 64)
		if err != nil {
			continue
		}
		scrapes <- scrapeResult{Name: split[0], Addr: addr, Alias: alias, Value: val}
	}
	return nil
}

func (e *Exporter) scrape(scrapes chan<- scrapeResult) {

	defer close(scrapes)
	now := time.Now().UnixNano()
	e.totalScrapes++

	errorCount := 0
	for idx, addr := range e.redis.Addrs {
		var c Conn
		var err error
		alias := e.redis.Aliases[idx]

		scrapes <- scrapeResult{Name: "up", Addr: addr, Alias: alias, Value: 0}

		options := []DialOption{
			DialConnectTimeout(5 * time.Second),
			DialReadTimeout(5 * time.Second),
			DialWriteTimeout(5 * time.Second),
		}
		if len(e.redis.Passwords) > idx && e.redis.Passwords[idx] != "" {
			options = append(options, DialPassword(e.redis.Passwords[idx]))
		}

		log.Printf("Trying DialURL(): %s", addr)
		if c, err = DialURL(addr, options...); err != nil {
			log.Printf("DialURL() failed, err: %s", err)
			frags := strings.Split(addr, "://")
			if len(frags) == 2 {
				log.Printf("Trying: Dial(): %s %s", frags[0], frags[1])
				c, err = Dial(frags[0], frags[1], options...)
			} else {
				log.Printf("Trying: Dial(): tcp %s", addr)
				c, err = Dial("tcp", addr, options...)
			}
		}

		if err != nil {
			log.Printf("redis err: %s", err)
			errorCount++
			continue
		}
		defer c.Close()
		log.Printf("connected to: %s", addr)

		info, err := String(c.Do("INFO", "ALL"))
		if err == nil {
			err = e.extractInfoMetrics(info, addr, alias, scrapes)
		} else {
			log.Printf("redis err: %s", err)
			errorCount++
			continue
		}

		if strings.Index(info, "cluster_enabled:1") != -1 {
			info, err = String(c.Do("CLUSTER", "INFO"))
			if err == nil {
				err = e.extractInfoMetrics(info, addr, alias, scrapes)
			} else {
				log.Printf("redis err: %s", err)
				errorCount++
				continue
			}
		}

		scrapes <- scrapeResult{Name: "up", Addr: addr, Alias: alias, Value: 1}

		for _, k := range e.keys {
			if _, err := c.Do("SELECT", k.db); err != nil {
				continue
			}
			if tempVal, err := c.Do("GET", k.key); err == nil && tempVal != nil {
				if val, err := strconv.ParseFloat(fmt.Sprintf("%s", tempVal), 64); err == nil {
					e.keyValues[addr+"/"+alias+"/db"+k.db+"/"+k.key] = val
				}
			}

			for _, op := range []string{
				"HLEN",
				"LLEN",
				"SCARD",
				"ZCARD",
				"PFCOUNT",
				"STRLEN",
			} {
				if tempVal, err := c.Do(op, k.key); err == nil && tempVal != nil {
					if n, ok := tempVal.(int64); ok {
						e.keySizes[addr+"/"+alias+"/db"+k.db+"/"+k.key] = float64(n)
						break
					}
				}
			}
		}
	}

	e.scrapeErrors = float64(errorCount)
	e.duration = float64(time.Now().UnixNano()-now) / 1000000000
}

func (e *Exporter) setMetrics(scrapes <-chan scrapeResult) {
	for scr := range scrapes {
		name := scr.Name
		e.metricsMtx.Lock()
		if _, ok := e.metrics[name]; !ok {
			e.metrics[name] = map[string]float64{}
		}
		e.metrics[name][scr.Addr+"/"+scr.Alias+"/"+scr.DB] = scr.Value
		e.metricsMtx.Unlock()
	}
}

func (e *Exporter) collectMetrics(metrics chan<- Metric) {
	e.metricsMtx.RLock()
	defer e.metricsMtx.RUnlock()
	for name, m := range e.metrics {
		for labels, v := range m {
			metrics <- Metric{Name: name, Labels: map[string]string{"target": labels}, Value: v}
		}
	}
}
