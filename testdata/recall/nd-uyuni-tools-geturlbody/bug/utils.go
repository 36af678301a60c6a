// Recall case nd-uyuni-tools-geturlbody
// Source: github.com/uyuni-project/uyuni-tools commit 46abc04d52a755cc5506aa3f84066519b30aac30 (shared/utils/utils.go)
// Link: https://github.com/uyuni-project/uyuni-tools/commit/46abc04d52a755cc5506aa3f84066519b30aac30
// Bug: GetURLBody downloads with the package-level http.Get (http.DefaultClient, no Timeout, no context), so a remote server that accepts the connection but never answers blocks DownloadFile forever.
// Fix: use a local http.Client{Timeout: time.Minute} for the GET.
// Rule: nodeadline
package utils

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

// Errorf wraps an error with a formatted message (stand-in for the project's utils.Errorf).
func Errorf(err error, message string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(message, args...), err)
}

// GetURLBody provide the body content of an GET HTTP request.
func GetURLBody(URL string) ([]byte, error) {
	// Download the key from the URL
	log.Printf("Downloading %s", URL)
	resp, err := http.Get(URL)
	if err != nil {
		return nil, Errorf(err, "error downloading from %s", URL)
	}
	defer resp.Body.Close()

	// Check server response
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bad status: %s", resp.Status)
	}

	var buf bytes.Buffer

	if _, err = io.Copy(&buf, resp.Body); err != nil {
		return nil, err
	}

	// Extract the byte slice from the buffer
	data := buf.Bytes()
	return data, nil
}

// DownloadFile downloads from a remote path to a local file.
func DownloadFile(filepath string, URL string) (err error) {
	data, err := GetURLBody(URL)
	if err != nil {
		return err
	}

	// Writer the body to file
	log.Printf("Saving %s to %s", URL, filepath)
	return os.WriteFile(filepath, data, 0644)
}
