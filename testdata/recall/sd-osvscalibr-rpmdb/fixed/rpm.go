// Recall case sd-osvscalibr-rpmdb
// Source: github.com/google/osv-scalibr commit 6ed8e38224a76d0a145f4660ce5eedea23c110fd (extractor/filesystem/os/rpm/rpm_linux.go)
// Link: https://github.com/google/osv-scalibr/commit/6ed8e38224a76d0a145f4660ce5eedea23c110fd
// Bug: Extract/extractFromInput receive the scan ctx, but the helper parseRPMDB starts a fresh budget with context.WithTimeout(context.Background(), e.Timeout), so a cancelled or deadline-bound scan keeps parsing the RPM DB for up to the full timeout.
// Fix: parseRPMDB takes the caller's ctx and derives the timeout from it (context.WithTimeout(ctx, e.Timeout)).
// Rule: sharedeadline
package rpm

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Name is the name for the RPM extractor
const Name = "os/rpm"

const defaultTimeout = 5 * time.Minute

// Config contains RPM specific configuration values
type Config struct {
	// MaxFileSizeBytes is the maximum file size this extractor will unmarshal.
	MaxFileSizeBytes int64
	// Timeout is the timeout duration for parsing the RPM database.
	Timeout time.Duration
}

// DefaultConfig returns the default configuration values for the RPM extractor.
func DefaultConfig() Config {
	return Config{
		MaxFileSizeBytes: 0,
		Timeout:          defaultTimeout,
	}
}

// Extractor extracts rpm packages from rpm database.
type Extractor struct {
	maxFileSizeBytes int64
	Timeout          time.Duration
}

// New returns an RPM extractor.
func New(cfg Config) *Extractor {
	return &Extractor{
		maxFileSizeBytes: cfg.MaxFileSizeBytes,
		Timeout:          cfg.Timeout,
	}
}

// ScanInput is a stand-in for filesystem.ScanInput.
type ScanInput struct {
	Path string
	Root string
}

// GetRealPath returns the real absolute path of the file on the scanning host's filesystem.
func (i *ScanInput) GetRealPath() (string, error) {
	if i.Root == "" {
		// The real implementation copies the file to a temporary directory.
		return filepath.Join(os.TempDir(), filepath.Base(i.Path)), nil
	}
	return filepath.Join(i.Root, i.Path), nil
}

// Inventory is a stand-in for extractor.Inventory.
type Inventory struct {
	Name      string
	Version   string
	Locations []string
}

// Extract extracts packages from rpm status files passed through the scan input.
func (e Extractor) Extract(ctx context.Context, input *ScanInput) ([]*Inventory, error) {
	inventory, err := e.extractFromInput(ctx, input)
	return inventory, err
}

func (e Extractor) extractFromInput(ctx context.Context, input *ScanInput) ([]*Inventory, error) {
	absPath, err := input.GetRealPath()
	if err != nil {
		return nil, fmt.Errorf("GetRealPath(%v): %w", input, err)
	}
	if input.Root == "" {
		// The file got copied to a temporary dir, remove it at the end.
		defer func() {
			dir := filepath.Base(absPath)
			if err := os.RemoveAll(dir); err != nil {
				log.Printf("os.RemoveAll(%q): %v", dir, err)
			}
		}()
	}
	rpmPkgs, err := e.parseRPMDB(ctx, absPath)
	if err != nil {
		return nil, fmt.Errorf("ParseRPMDB(%s): %w", absPath, err)
	}

	pkgs := []*Inventory{}
	for _, p := range rpmPkgs {
		i := &Inventory{
			Name:      p.Name,
			Version:   fmt.Sprintf("%s-%s", p.Version, p.Release),
			Locations: []string{input.Path},
		}

		pkgs = append(pkgs, i)
	}

	return pkgs, nil
}

// parseRPMDB returns a slice of OS packages parsed from a RPM DB.
func (e Extractor) parseRPMDB(ctx context.Context, path string) ([]rpmPackageInfo, error) {
	db, err := rpmdbOpen(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()

	var pkgs []*PackageInfo
	if e.Timeout == 0 {
		pkgs, err = db.ListPackages()
		if err != nil {
			return nil, err
		}
	} else {
		ctx, cancelFunc := context.WithTimeout(ctx, e.Timeout)
		defer cancelFunc()

		// The timeout is only for corrupt bdb databases
		pkgs, err = db.ListPackagesWithContext(ctx)
		if err != nil {
			return nil, err
		}
	}

	var result []rpmPackageInfo
	for _, pkg := range pkgs {
		newPkg := rpmPackageInfo{
			Name:    pkg.Name,
			Version: pkg.Version,
			Release: pkg.Release,
		}

		result = append(result, newPkg)
	}

	return result, nil
}

type rpmPackageInfo struct {
	Name    string
	Version string
	Release string
}

// --- local stand-in for github.com/erikvarga/go-rpmdb/pkg ---

// PackageInfo is one package entry of the rpm database.
type PackageInfo struct {
	Name    string
	Version string
	Release string
}

// RpmDB is an opened rpm database file.
type RpmDB struct {
	f *os.File
}

func rpmdbOpen(path string) (*RpmDB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &RpmDB{f: f}, nil
}

// Close closes the database file.
func (d *RpmDB) Close() error { return d.f.Close() }

// ListPackages lists all packages without any cancellation.
func (d *RpmDB) ListPackages() ([]*PackageInfo, error) {
	var pkgs []*PackageInfo
	sc := bufio.NewScanner(d.f)
	for sc.Scan() {
		pkgs = append(pkgs, parseEntry(sc.Text()))
	}
	return pkgs, sc.Err()
}

// ListPackagesWithContext lists all packages; reading a corrupt database can loop
// for a long time, so every entry checks ctx.
func (d *RpmDB) ListPackagesWithContext(ctx context.Context) ([]*PackageInfo, error) {
	var pkgs []*PackageInfo
	sc := bufio.NewScanner(d.f)
	for sc.Scan() {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		pkgs = append(pkgs, parseEntry(sc.Text()))
	}
	return pkgs, sc.Err()
}

func parseEntry(line string) *PackageInfo {
	f := strings.Fields(line)
	for len(f) < 3 {
		f = append(f, "")
	}
	return &PackageInfo{Name: f[0], Version: f[1], Release: f[2]}
}
