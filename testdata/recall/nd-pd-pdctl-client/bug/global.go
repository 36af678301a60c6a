// Recall case nd-pd-pdctl-client
// Source: github.com/tikv/pd commit 6720d3598566badd121538f86a9df19adf161d07 (tools/pd-ctl/pdctl/command/global.go)
// Link: https://github.com/tikv/pd/commit/6720d3598566badd121538f86a9df19adf161d07   (PR https://github.com/tikv/pd/pull/1515)
// Bug: pd-ctl's dialClient is &http.Client{} with no Timeout and getRequest builds http.NewRequest without a context, so doRequest/dail and postJSON hang forever on an unresponsive PD.
// Fix: dialClient (and the TLS client built in InitHTTPSClient) get Timeout: 30 * time.Second.
// Rule: nodeadline
package command

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

var (
	dialClient = &http.Client{}

	pingPrefix = "pd/ping"
)

// InitHTTPSClient creates https client with ca file
func InitHTTPSClient(tlsConfig *tls.Config) error {
	dialClient = &http.Client{Transport: &http.Transport{
		TLSClientConfig: tlsConfig,
	}}

	return nil
}

func getRequest(cmd *Command, prefix string, method string, bodyType string, body io.Reader) (*http.Request, error) {
	if method == "" {
		method = http.MethodGet
	}
	url := getAddressFromCmd(cmd, prefix)
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", bodyType)
	return req, err
}

func dail(req *http.Request) (string, error) {
	var res string
	reps, err := dialClient.Do(req)
	if err != nil {
		return res, err
	}
	defer reps.Body.Close()
	if reps.StatusCode != http.StatusOK {
		return res, genResponseError(reps)
	}

	r, err := io.ReadAll(reps.Body)
	if err != nil {
		return res, err
	}
	res = string(r)
	return res, nil
}

func doRequest(cmd *Command, prefix string, method string) (string, error) {
	req, err := getRequest(cmd, prefix, method, "", nil)
	if err != nil {
		return "", err
	}
	return dail(req)
}

func genResponseError(r *http.Response) error {
	res, _ := io.ReadAll(r.Body)
	return fmt.Errorf("[%d] %s", r.StatusCode, res)
}

func getAddressFromCmd(cmd *Command, prefix string) string {
	p := cmd.PD
	if p != "" && !strings.HasPrefix(p, "http") {
		p = "http://" + p
	}

	u, err := url.Parse(p)
	if err != nil {
		cmd.Println("address format is wrong, should like 'http://127.0.0.1:2379' or '127.0.0.1:2379'")
	}

	s := fmt.Sprintf("%s/%s", u, prefix)
	return s
}

func printResponseError(r *http.Response) error {
	fmt.Printf("[%d]:", r.StatusCode)
	_, err := io.Copy(os.Stdout, r.Body)
	return err
}

func postJSON(cmd *Command, prefix string, input map[string]interface{}) {
	data, err := json.Marshal(input)
	if err != nil {
		cmd.Println(err)
		return
	}

	url := getAddressFromCmd(cmd, prefix)
	r, err := dialClient.Post(url, "application/json", bytes.NewBuffer(data))
	if err != nil {
		cmd.Println(err)
		return
	}
	defer r.Body.Close()

	if r.StatusCode != http.StatusOK {
		if err := printResponseError(r); err != nil {
			cmd.Println(err)
		}
	}
}

// showPingCommandFunc is a pd-ctl command body (ping) that goes through doRequest.
func showPingCommandFunc(cmd *Command, args []string) {
	r, err := doRequest(cmd, pingPrefix, http.MethodGet)
	if err != nil {
		cmd.Println(err)
		return
	}
	cmd.Println(r)
}

// setConfigCommandFunc is a pd-ctl command body (config set) that goes through postJSON.
func setConfigCommandFunc(cmd *Command, args []string) {
	if len(args) != 2 {
		cmd.Println(errors.New("usage: config set <option> <value>"))
		return
	}
	postJSON(cmd, "pd/api/v1/config", map[string]interface{}{args[0]: args[1]})
}
