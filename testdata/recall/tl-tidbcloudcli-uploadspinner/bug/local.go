// Recall case tl-tidbcloudcli-uploadspinner
// Source: github.com/tidbcloud/tidbcloud-cli commit 51ecf06f1cade7be37ff1709827fd196faea3214 (internal/cli/dataimport/start/local.go)
// Link: https://github.com/tidbcloud/tidbcloud-cli/commit/51ecf06f1cade7be37ff1709827fd196faea3214
// Bug: spinnerWaitUploadOp starts the upload in a goroutine that reports on the unbuffered errChan; when the 2-minute timer fires the task returns and nobody ever receives, so the upload goroutine blocks forever on its send (and the ticker is never stopped).
// Fix: make errChan buffered (make(chan error, 1)) and defer ticker.Stop().
// Rule: timeoutleak
package start

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Msg is a stand-in for bubbletea's tea.Msg.
type Msg interface{}

// Result is a stand-in for ui.Result.
type Result string

// TiDBCloudClient is a stand-in for cloud.TiDBCloudClient.
type TiDBCloudClient interface {
	PreSignedUrlUpload(url *string, uploadFile *os.File, size int64) error
}

// ClientDelegate is the real implementation of TiDBCloudClient.
type ClientDelegate struct{}

// PreSignedUrlUpload uploads the file to the pre-signed URL.
func (d *ClientDelegate) PreSignedUrlUpload(url *string, uploadFile *os.File, size int64) error {
	request, err := http.NewRequest("PUT", *url, uploadFile)
	if err != nil {
		return err
	}
	request.ContentLength = size

	putRes, err := http.DefaultClient.Do(request)
	if err != nil {
		return err
	}
	defer putRes.Body.Close()

	if putRes.StatusCode != http.StatusOK {
		return fmt.Errorf("upload file failed : %s", putRes.Status)
	}

	return nil
}

// runSpinner is a stand-in for tea.NewProgram(ui.InitialSpinnerModel(task, ...)).StartReturningModel().
func runSpinner(task func() Msg) (Msg, error) {
	return task(), nil
}

func spinnerWaitUploadOp(out io.Writer, d TiDBCloudClient, url *string, uploadFile *os.File, size int64) error {
	task := func() Msg {
		errChan := make(chan error)

		go func() {
			err := d.PreSignedUrlUpload(url, uploadFile, size)
			if err != nil {
				errChan <- err
				return
			}

			fmt.Fprintln(out, "File has been uploaded")
			errChan <- nil
		}()

		ticker := time.NewTicker(1 * time.Second)
		timer := time.After(2 * time.Minute)
		for {
			select {
			case <-timer:
				return fmt.Errorf("timeout waiting for uploading file")
			case <-ticker.C:
				// continue
			case err := <-errChan:
				if err != nil {
					return err
				} else {
					return Result("File has been uploaded")
				}
			}
		}
	}

	m, err := runSpinner(task)
	if err != nil {
		return err
	}
	if taskErr, ok := m.(error); ok {
		return taskErr
	}
	fmt.Fprintln(out, m)

	return nil
}
