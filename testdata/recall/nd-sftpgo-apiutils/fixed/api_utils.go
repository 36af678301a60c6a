// Recall case nd-sftpgo-apiutils
// Source: github.com/drakkan/sftpgo commit c9e6fa0dd672380f684a145ad1664782d3546621 (api/api_utils.go)
// Link: https://github.com/drakkan/sftpgo/commit/c9e6fa0dd672380f684a145ad1664782d3546621
// Bug: The REST API helpers call http.Post, http.Get and http.DefaultClient.Do, whose client has no Timeout, so a stalled sftpgo server hangs the caller forever.
// Fix: All helpers go through getHTTPClient(), which returns an http.Client with a 15 second Timeout.
// Rule: nodeadline
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

var (
	httpBaseURL = "http://127.0.0.1:8080"
)

const (
	userPath      = "/api/v1/user"
	quotaScanPath = "/api/v1/quota_scan"
)

// User is a reduced stand-in for dataprovider.User.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// ActiveQuotaScan is a reduced stand-in for sftpd.ActiveQuotaScan.
type ActiveQuotaScan struct {
	Username  string `json:"username"`
	StartTime int64  `json:"start_time"`
}

// SetBaseURL sets the url to use for HTTP request, default is "http://127.0.0.1:8080"
func SetBaseURL(url string) {
	httpBaseURL = url
}

func checkResponse(actual int, expected int, resp *http.Response) error {
	if expected != actual {
		return fmt.Errorf("wrong status code: got %v want %v", actual, expected)
	}
	if expected != http.StatusOK {
		b, err := io.ReadAll(resp.Body)
		if err == nil {
			fmt.Printf("request: %v, response body: %v", resp.Request.URL, string(b))
		}
	}
	return nil
}

func checkUser(expected User, actual User) error {
	if expected.Username != actual.Username {
		return errors.New("username mismatch")
	}
	return nil
}

func getHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 15 * time.Second,
	}
}

// AddUser add a new user, useful for tests
func AddUser(user User, expectedStatusCode int) (User, error) {
	var newUser User
	userAsJSON, err := json.Marshal(user)
	if err != nil {
		return newUser, err
	}
	resp, err := getHTTPClient().Post(httpBaseURL+userPath, "application/json", bytes.NewBuffer(userAsJSON))
	if err != nil {
		return newUser, err
	}
	defer resp.Body.Close()
	err = checkResponse(resp.StatusCode, expectedStatusCode, resp)
	if expectedStatusCode != http.StatusOK {
		return newUser, err
	}
	if err == nil {
		err = json.NewDecoder(resp.Body).Decode(&newUser)
	}
	if err == nil {
		err = checkUser(user, newUser)
	}
	return newUser, err
}

// RemoveUser remove user, useful for tests
func RemoveUser(user User, expectedStatusCode int) error {
	req, err := http.NewRequest(http.MethodDelete, httpBaseURL+userPath+"/"+strconv.FormatInt(user.ID, 10), nil)
	if err != nil {
		return err
	}
	resp, err := getHTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return checkResponse(resp.StatusCode, expectedStatusCode, resp)
}

// GetUserByID get user by id, useful for tests
func GetUserByID(userID int64, expectedStatusCode int) (User, error) {
	var user User
	resp, err := getHTTPClient().Get(httpBaseURL + userPath + "/" + strconv.FormatInt(userID, 10))
	if err != nil {
		return user, err
	}
	defer resp.Body.Close()
	err = checkResponse(resp.StatusCode, expectedStatusCode, resp)
	if err == nil && expectedStatusCode == http.StatusOK {
		err = json.NewDecoder(resp.Body).Decode(&user)
	}
	return user, err
}

// GetQuotaScans get active quota scans, useful for tests
func GetQuotaScans(expectedStatusCode int) ([]ActiveQuotaScan, error) {
	var quotaScans []ActiveQuotaScan
	resp, err := getHTTPClient().Get(httpBaseURL + quotaScanPath)
	if err != nil {
		return quotaScans, err
	}
	defer resp.Body.Close()
	err = checkResponse(resp.StatusCode, expectedStatusCode, resp)
	if err == nil && expectedStatusCode == http.StatusOK {
		err = json.NewDecoder(resp.Body).Decode(&quotaScans)
	}
	return quotaScans, err
}
