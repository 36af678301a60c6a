package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The run cache replays a whole run on unchanged code. go vet already
// replays each package's result from its build cache, but deciding that
// nothing changed costs it a second or more on a large module (it hashes
// the action graph of every package); `go list` and a stat of every file
// cost a fraction of that. A run is keyed by the executable, the flags,
// the working directory, the environment the go command reads, and, for
// every package of the patterns, their dependencies and their tests: the
// import path, directory, module and the name, size and modification
// time of each file. Any difference is a miss, and go vet runs as usual.
// Only runs that go vet finished without an error are stored (a transient
// download failure is not replayed). DEADLINELINT_NOCACHE=1 turns it off;
// DEADLINELINT_CACHE names another directory for it.

// runCacheEntries is how many runs the cache keeps; the oldest go first.
const runCacheEntries = 64

// cachedRun is what a run of go vet printed.
type cachedRun struct {
	Stdout []byte
	Stderr []byte
}

// runCacheKey returns the key of the run o describes, or "" when it cannot
// be computed (go list failed, no cache directory): then nothing is cached.
func runCacheKey(o *options, exe string) string {
	if os.Getenv("DEADLINELINT_NOCACHE") != "" || runCacheDir() == "" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "deadlinelint run cache 1\nexe %s\n", executableHashOf(exe))
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	fmt.Fprintf(h, "wd %s\ndir %s\ntags %s\nmod %s\nmodfile %s\nforward %q\npatterns %q\n",
		wd, o.dir, o.tags, o.mod, o.modfile, o.forward, o.patterns)
	env := os.Environ()
	sort.Strings(env)
	for _, kv := range env {
		if affectsBuild(kv) {
			fmt.Fprintf(h, "env %s\n", kv)
		}
	}
	if !hashPackages(h, o) {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// affectsBuild reports whether an environment variable (NAME=value) can
// change what go vet builds or analyses.
func affectsBuild(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	for _, prefix := range []string{"GO", "CGO_", "CC", "CXX", "PKG_CONFIG", "AR", "FC", "DEADLINELINT_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return name == "PATH" || name == "HOME" || name == "XDG_CONFIG_HOME"
}

// hashPackages writes to h every package go vet would look at, with the
// stat of each of its files. It reports false when go list fails.
func hashPackages(h io.Writer, o *options) bool {
	args := []string{}
	if o.dir != "" {
		args = append(args, "-C", o.dir)
	}
	args = append(args, "list", "-e", "-deps", "-test",
		"-json=ImportPath,Dir,Module,Error,DepsErrors,GoFiles,CgoFiles,CFiles,CXXFiles,MFiles,HFiles,FFiles,SFiles,SwigFiles,SwigCXXFiles,SysoFiles,EmbedFiles,TestGoFiles,XTestGoFiles,TestEmbedFiles,XTestEmbedFiles")
	for _, f := range []struct{ name, value string }{{"tags", o.tags}, {"mod", o.mod}, {"modfile", o.modfile}} {
		if f.value != "" {
			args = append(args, "-"+f.name+"="+f.value)
		}
	}
	args = append(args, o.patterns...)
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return false
	}
	h.Write(out.Bytes()) // paths, file lists, modules (versions, go.mod paths, go directives)
	dec := json.NewDecoder(&out)
	seen := map[string]bool{}
	for {
		var p struct {
			Dir    string
			Module *struct{ GoMod string }
			GoFiles, CgoFiles, CFiles, CXXFiles, MFiles, HFiles, FFiles, SFiles,
			SwigFiles, SwigCXXFiles, SysoFiles, EmbedFiles, TestGoFiles,
			XTestGoFiles, TestEmbedFiles, XTestEmbedFiles []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return false
		}
		var files []string
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.CFiles, p.CXXFiles, p.MFiles, p.HFiles, p.FFiles, p.SFiles,
			p.SwigFiles, p.SwigCXXFiles, p.SysoFiles, p.EmbedFiles, p.TestGoFiles, p.XTestGoFiles, p.TestEmbedFiles, p.XTestEmbedFiles} {
			for _, f := range list {
				files = append(files, filepath.Join(p.Dir, f))
			}
		}
		if p.Module != nil && p.Module.GoMod != "" {
			files = append(files, p.Module.GoMod, filepath.Join(filepath.Dir(p.Module.GoMod), "go.sum"))
		}
		for _, f := range files {
			if seen[f] {
				continue
			}
			seen[f] = true
			if fi, err := os.Stat(f); err == nil {
				fmt.Fprintf(h, "file %s %d %d\n", f, fi.Size(), fi.ModTime().UnixNano())
			} else {
				fmt.Fprintf(h, "file %s missing\n", f)
			}
		}
	}
	return true
}

// runCacheDir is DEADLINELINT_CACHE, or deadlinelint/runs in the user's
// cache directory.
func runCacheDir() string {
	if dir := os.Getenv("DEADLINELINT_CACHE"); dir != "" {
		return dir
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "deadlinelint", "runs")
}

// loadRun returns the stored output of the run with this key.
func loadRun(key string) (*cachedRun, bool) {
	data, err := os.ReadFile(filepath.Join(runCacheDir(), key+".json"))
	if err != nil {
		return nil, false
	}
	var r cachedRun
	if json.Unmarshal(data, &r) != nil {
		return nil, false
	}
	return &r, true
}

// storeRun keeps a run's output under its key, and drops the oldest
// entries beyond runCacheEntries. Failures only cost the cache.
func storeRun(key string, r *cachedRun) {
	dir := runCacheDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	data, err := json.Marshal(r)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, "run-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(dir, key+".json")) != nil {
		os.Remove(tmp.Name())
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= runCacheEntries {
		return
	}
	type aged struct {
		name string
		mod  time.Time
	}
	var all []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			all = append(all, aged{e.Name(), info.ModTime()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
	for _, a := range all[:len(all)-runCacheEntries] {
		os.Remove(filepath.Join(dir, a.name))
	}
}
