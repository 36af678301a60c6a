// Recall case nd-telegraf-couchdb-httpget
// Source: github.com/influxdata/telegraf commit 7416d6ea71e8afbbaafcc37eaa727793acf474fc (plugins/inputs/couchdb/couchdb.go)
// Link: https://github.com/influxdata/telegraf/pull/771
// Bug: fetchAndInsertData (run in one goroutine per host from Gather) fetches stats with http.Get on the default client, which has no timeout, so a CouchDB host that never answers blocks Gather forever.
// Fix: a package-level client with Transport.ResponseHeaderTimeout 3s and Client.Timeout 4s is used instead of http.Get.
// Rule: nodeadline
package couchdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

type Stats map[string]interface{}

type CouchDB struct {
	HOSTs []string
}

func (c *CouchDB) Gather() error {
	errorChannel := make(chan error, len(c.HOSTs))
	var wg sync.WaitGroup
	for _, u := range c.HOSTs {
		wg.Add(1)
		go func(host string) {
			defer wg.Done()
			if err := c.fetchAndInsertData(host); err != nil {
				errorChannel <- fmt.Errorf("[host=%s]: %s", host, err)
			}
		}(u)
	}

	wg.Wait()
	close(errorChannel)

	errorStrings := make([]string, 0, len(errorChannel))
	for err := range errorChannel {
		errorStrings = append(errorStrings, err.Error())
	}
	if len(errorStrings) == 0 {
		return nil
	}
	return errors.New(strings.Join(errorStrings, "\n"))
}

var tr = &http.Transport{
	ResponseHeaderTimeout: time.Duration(3 * time.Second),
}

var client = &http.Client{
	Transport: tr,
	Timeout:   time.Duration(4 * time.Second),
}

func (c *CouchDB) fetchAndInsertData(host string) error {

	response, error := client.Get(host)
	if error != nil {
		return error
	}
	defer response.Body.Close()

	var stats Stats
	decoder := json.NewDecoder(response.Body)
	return decoder.Decode(&stats)
}
