// Recall case nd-InstantShare-getfilename
// Source: github.com/pavben/InstantShare commit 8c24033b0829db84a3f41476bcf5302deb7b0c81 (client/main.go)
// Link: https://github.com/pavben/InstantShare/commit/8c24033b0829db84a3f41476bcf5302deb7b0c81
// Bug: instantShareHandler fetches a filename from the share server with http.Get (http.DefaultClient, no timeout), so an unresponsive server blocks the tray handler forever.
// Fix: Use (&http.Client{Timeout: 1 * time.Second}).Get instead of http.Get.
// Rule: nodeadline
package instantshare

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"net/http"
	"time"
)

var hostFlag = flag.String("host", "", "Target server host.")

// Stand-ins for github.com/shurcooL/trayhost clipboard helpers.
type clipboardImage struct {
	Kind  int
	Bytes []byte
}

const (
	imageKindPng = iota
	imageKindTiff
)

var clipboard clipboardImage
var clipboardString string

func getClipboardImage() (clipboardImage, error) { return clipboard, nil }
func setClipboardString(s string)                { clipboardString = s }

func instantShareHandler() {
	fmt.Println("grab content, content-type of clipboard")

	img, err := getClipboardImage()
	if err != nil {
		log.Println(err)
		return
	}

	// Convert image to desired destination format (currently, always PNG).
	var imageData []byte
	switch img.Kind {
	case imageKindPng:
		imageData = img.Bytes
	case imageKindTiff:
		m, _, err := image.Decode(bytes.NewReader(img.Bytes))
		if err != nil {
			log.Panicln("image.Decode:", err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			log.Panicln("png.Encode:", err)
		}
		imageData = buf.Bytes()
	default:
		log.Println("unsupported source image kind:", img.Kind)
		return
	}

	fmt.Println("request URL")

	resp, err := (&http.Client{Timeout: 1 * time.Second}).Get(*hostFlag + "/api/getfilename?ext=png")
	if err != nil {
		log.Println(err)
		return
	}
	defer resp.Body.Close()
	filename, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Println(err)
		return
	}

	fmt.Println("display/put URL in clipboard")

	url := *hostFlag + "/" + string(filename)
	setClipboardString(url)

	fmt.Println("upload image in background of size", len(imageData))
}
