// Recall case nd-crlite-download-client
// Source: github.com/mozilla/crlite commit 441ad25fd81ff618010fa93d51efaba588f1326d (go/downloader/downloader.go)
// Link: https://github.com/mozilla/crlite/issues/168
// Bug: download() builds &http.Client{} with no Timeout and hands it to determineAction, whose HEAD request (http.NewRequest, no ctx) and the later GET can block forever; the caller's ctx has no deadline, so aggregate-crls hung.
// Fix: a timeout parameter is threaded from the callers (300s) through DownloadAndVerifyFileSync/DownloadFileSync into download(), which creates &http.Client{Timeout: timeout}.
// Rule: nodeadline
package downloader

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
)

func determineAction(client *http.Client, crlUrl url.URL, path string) bool {
	req, err := http.NewRequest("HEAD", crlUrl.String(), nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.Header.Get("Accept-Ranges") == "bytes"
}

func download(ctx context.Context, crlUrl url.URL, path string) error {
	client := &http.Client{}

	_ = determineAction(client, crlUrl, path)

	req, err := http.NewRequestWithContext(ctx, "GET", crlUrl.String(), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	outFile, err := os.Create(path)
	if err != nil {
		return err
	}
	defer outFile.Close()
	_, err = io.Copy(outFile, resp.Body)
	return err
}

func DownloadFileSync(ctx context.Context, crlUrl url.URL, path string, maxRetries uint) error {
	var err error
	for t := uint(0); t <= maxRetries; t++ {
		err = download(ctx, crlUrl, path)
		if err == nil {
			return nil
		}
	}
	return err
}

func DownloadAndVerifyFileSync(ctx context.Context, crlUrl url.URL, finalPath string, maxRetries uint) (bool, error) {
	dlErr := DownloadFileSync(ctx, crlUrl, finalPath+".tmp", maxRetries)
	return dlErr == nil, dlErr
}

func crlFetchWorkerProcessOne(ctx context.Context, crlUrl url.URL, finalPath string) bool {
	ok, _ := DownloadAndVerifyFileSync(ctx, crlUrl, finalPath, 3)
	return ok
}
