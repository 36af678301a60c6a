// Recall case sc-directpv-finddrives
// Source: github.com/minio/directpv commit a24fc4bd2fe3d6bc67ae0fb666c63c16ff794b09 (pkg/dev/dev.go)
// Link: https://github.com/minio/directpv/commit/a24fc4bd2fe3d6bc67ae0fb666c63c16ff794b09
// Bug: inside the filepath.Walk callback, when ctx is cancelled the code returns the walk's own err (normally nil), so cancellation is swallowed and FindDrives can return a partial drive list as success.
// Fix: return ctx.Err() from the callback when the context is done.
// Rule: swallowcancel
package dev

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

type BlockDevice struct {
	Major   string
	Minor   string
	Devname string
	Devtype string
}

func FindDrives(ctx context.Context) ([]BlockDevice, error) {
	const head = "/sys/devices"
	drives := []BlockDevice{}

	if err := filepath.Walk(head, func(path string, info os.FileInfo, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if strings.HasPrefix(info.Name(), "loop") {
			return filepath.SkipDir
		}
		if info.Name() != "uevent" {
			return nil
		}
		drive, err := parseUevent(path)
		if err != nil {
			log.Print(err)
			return nil
		}
		if drive.Devtype != "disk" {
			return nil
		}
		subsystem, err := subsystem(path)
		if err != nil {
			log.Print(err)
			return nil
		}
		if subsystem != "block" {
			return nil
		}
		drives = append(drives, drive)
		return nil
	}); err != nil {
		return nil, err
	}
	return drives, nil
}

func subsystem(path string) (string, error) {
	dir := filepath.Dir(path)
	link, err := os.Readlink(filepath.Join(dir, "subsystem"))
	if err != nil {
		return "", err
	}
	return filepath.Base(link), nil
}

func parseUevent(path string) (BlockDevice, error) {
	if filepath.Base(path) != "uevent" {
		return BlockDevice{}, fmt.Errorf("not a uevent file")
	}

	uevent, err := os.ReadFile(path)
	if err != nil {
		return BlockDevice{}, err
	}

	uev := string(uevent)
	var major, minor, devname, devtype string

	lines := strings.Split(uev, "\n")
	for _, line := range lines {
		if len(line) == 0 {
			continue
		}
		cleanLine := strings.TrimSpace(line)
		parts := strings.Split(cleanLine, "=")
		if len(parts) != 2 {
			return BlockDevice{}, fmt.Errorf("uevent file format not supported: %s", path)
		}
		key := parts[0]
		value := parts[1]
		switch key {
		case "MAJOR":
			major = value
		case "MINOR":
			minor = value
		case "DEVNAME":
			devname = value
		case "DEVTYPE":
			devtype = value
		default:
			return BlockDevice{}, fmt.Errorf("uevent file format not supported: %s", path)
		}
	}
	return BlockDevice{
		Major:   major,
		Minor:   minor,
		Devname: devname,
		Devtype: devtype,
	}, nil
}
