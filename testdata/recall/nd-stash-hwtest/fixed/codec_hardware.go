// Recall case nd-stash-hwtest
// Source: github.com/stashapp/stash commit c162c3843db02ab6f9268fa2fd06e309e5a7e536 (pkg/ffmpeg/codec_hardware.go)
// Link: https://github.com/stashapp/stash/commit/c162c3843db02ab6f9268fa2fd06e309e5a7e536
// Bug: InitHWSupport runs an external ffmpeg hardware-encoder probe per codec with the startup ctx (context.TODO() from Initialize), so a probe that hangs on a broken GPU/driver blocks server startup forever (#6064).
// Fix: Each probe runs under context.WithTimeout(ctx, hwTestTimeout) (default 1s, STASH_HW_TEST_TIMEOUT override) and a timed-out probe is skipped.
// Rule: nodeadline
package ffmpeg

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"time"
)

type VideoCodec struct {
	Name     string
	CodeName string
}

func makeVideoCodec(name, codename string) VideoCodec {
	return VideoCodec{Name: name, CodeName: codename}
}

var (
	VideoCodecN264 = makeVideoCodec("H264 NVENC", "h264_nvenc")
	VideoCodecI264 = makeVideoCodec("H264 Intel Quick Sync Video (QSV)", "h264_qsv")
	VideoCodecV264 = makeVideoCodec("H264 VAAPI", "h264_vaapi")
)

type FFMpeg struct {
	ffmpeg         string
	hwCodecSupport []VideoCodec
}

func NewEncoder(path string) *FFMpeg { return &FFMpeg{ffmpeg: path} }

// Command mirrors FFMpeg.Command -> stashExec.CommandContext.
func (f *FFMpeg) Command(ctx context.Context, args []string) *exec.Cmd {
	return exec.CommandContext(ctx, f.ffmpeg, args...)
}

// Tests all (given) hardware codec's
func (f *FFMpeg) InitHWSupport(ctx context.Context) {
	var hwCodecSupport []VideoCodec

	// Note that the first compatible codec is returned, so order is important
	for _, codec := range []VideoCodec{
		VideoCodecN264,
		VideoCodecI264,
		VideoCodecV264,
	} {
		args := []string{"-hide_banner", "-v", "warning",
			"-f", "lavfi", "-i", "color=c=red:s=1280x720", "-t", "0.1",
			"-c:v", codec.CodeName, "-f", "null", "-"}

		// #6064 - add timeout to context to prevent hangs
		const hwTestTimeoutSecondsDefault = 1
		hwTestTimeoutSeconds := hwTestTimeoutSecondsDefault * time.Second

		// allow timeout to be overridden with environment variable
		if timeout := os.Getenv("STASH_HW_TEST_TIMEOUT"); timeout != "" {
			if seconds, err := strconv.Atoi(timeout); err == nil {
				hwTestTimeoutSeconds = time.Duration(seconds) * time.Second
			}
		}

		testCtx, cancel := context.WithTimeout(ctx, hwTestTimeoutSeconds)
		defer cancel()

		cmd := f.Command(testCtx, args)
		log.Printf("[InitHWSupport] Testing codec %s: %v", codec.Name, cmd.Args)

		var stderr bytes.Buffer
		cmd.Stderr = &stderr

		if err := cmd.Run(); err != nil {
			if testCtx.Err() != nil {
				log.Printf("[InitHWSupport] Codec %s test timed out after %d seconds", codec.Name, hwTestTimeoutSeconds)
				continue
			}

			errOutput := stderr.String()

			if len(errOutput) == 0 {
				errOutput = err.Error()
			}

			log.Printf("[InitHWSupport] Codec %s not supported. Error output:\n%s", codec.Name, errOutput)
		} else {
			hwCodecSupport = append(hwCodecSupport, codec)
		}
	}

	outstr := fmt.Sprintf("[InitHWSupport] Supported HW codecs [%d]:\n", len(hwCodecSupport))
	for _, codec := range hwCodecSupport {
		outstr += fmt.Sprintf("\t%s - %s\n", codec.Name, codec.CodeName)
	}
	log.Print(outstr)

	f.hwCodecSupport = hwCodecSupport
}

// ---- internal/manager/init.go ----

type Manager struct {
	FFMpeg *FFMpeg
}

func (s *Manager) RefreshFFMpeg(ctx context.Context, ffmpegPath string) {
	if ffmpegPath != "" {
		s.FFMpeg = NewEncoder(ffmpegPath)
		s.FFMpeg.InitHWSupport(ctx)
	}
}

func (s *Manager) postInit(ctx context.Context) error {
	s.RefreshFFMpeg(ctx, "ffmpeg")
	return nil
}

// Initialize is called at startup.
func Initialize() (*Manager, error) {
	ctx := context.TODO()
	mgr := &Manager{}
	if err := mgr.postInit(ctx); err != nil {
		return nil, err
	}
	return mgr, nil
}
