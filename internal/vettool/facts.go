package vettool

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/types/objectpath"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// A .vetx file is empty (no types, no facts, not relevant) or holds
//
//	"dlvx2\n" | uint32 flags | uint32 len(types) | uint32 len(facts) | types | facts
//
// flags has bit 0 set when the package is ctxflow.Relevant, which is all the
// shortcut of the vet tool reads; types is the package's export data
// (gcexportdata.Write), present only when go vet passes no compiler export
// data; facts is a gob-encoded []gobFact.
const (
	vetxMagic    = "dlvx2\n"
	vetxHeader   = len(vetxMagic) + 12
	flagRelevant = 1
)

type vetx struct {
	flags        uint32
	types, facts []byte
}

func readVetx(file string) (vetx, error) {
	data, err := os.ReadFile(file)
	if err != nil || len(data) == 0 {
		return vetx{}, err
	}
	if len(data) < vetxHeader || string(data[:len(vetxMagic)]) != vetxMagic {
		return vetx{}, fmt.Errorf("%s is not a deadlinelint vetx file (was it written by another vet tool?)", file)
	}
	flags := binary.LittleEndian.Uint32(data[len(vetxMagic):])
	tl := binary.LittleEndian.Uint32(data[len(vetxMagic)+4:])
	fl := binary.LittleEndian.Uint32(data[len(vetxMagic)+8:])
	if uint64(vetxHeader)+uint64(tl)+uint64(fl) > uint64(len(data)) {
		return vetx{}, fmt.Errorf("%s: truncated vetx file", file)
	}
	body := data[vetxHeader:]
	return vetx{flags, body[:tl], body[tl : tl+fl]}, nil
}

// vetxRelevant reads only the header of a .vetx file: is its package
// relevant? A file that cannot be read counts as relevant (the full
// analysis then reports the problem).
func vetxRelevant(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return true
	}
	defer f.Close()
	head := make([]byte, vetxHeader)
	n, _ := io.ReadFull(f, head)
	switch {
	case n == 0:
		return false
	case n < vetxHeader || string(head[:len(vetxMagic)]) != vetxMagic:
		return true
	}
	return binary.LittleEndian.Uint32(head[len(vetxMagic):])&flagRelevant != 0
}

func writeVetx(file string, v vetx) error {
	if v.flags == 0 && len(v.types) == 0 && len(v.facts) == 0 {
		return os.WriteFile(file, nil, 0o666)
	}
	var b bytes.Buffer
	b.WriteString(vetxMagic)
	binary.Write(&b, binary.LittleEndian, v.flags)
	binary.Write(&b, binary.LittleEndian, uint32(len(v.types)))
	binary.Write(&b, binary.LittleEndian, uint32(len(v.facts)))
	b.Write(v.types)
	b.Write(v.facts)
	return os.WriteFile(file, b.Bytes(), 0o666)
}

// gobFact is one fact in a .vetx file: about a package (Object empty) or an
// object found by its path from the package.
type gobFact struct {
	PkgPath string
	Object  objectpath.Path
	Fact    analysis.Fact
}

type factKey struct {
	pkg string
	obj objectpath.Path
	typ reflect.Type
}

// factStore holds the facts a unit sees: those its imports exported
// (including the facts they passed on) and its own.
type factStore struct {
	mu       sync.Mutex
	pkg      *types.Package
	packages map[string]*types.Package // every package the importer loaded
	facts    map[factKey]analysis.Fact
	encoder  objectpath.Encoder
}

// readFacts decodes the fact sections of the unit's imports.
func readFacts(unit *unitchecker.Config, pkg *types.Package, loaded map[string]*types.Package) (*factStore, error) {
	s := &factStore{pkg: pkg, packages: loaded, facts: map[factKey]analysis.Fact{}}
	paths := make([]string, 0, len(unit.PackageVetx))
	for path := range unit.PackageVetx {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		v, err := readVetx(unit.PackageVetx[path])
		if err != nil {
			return nil, err
		}
		data := v.facts
		if len(data) == 0 {
			continue
		}
		var facts []gobFact
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&facts); err != nil {
			return nil, fmt.Errorf("decoding facts of %q: %v", path, err)
		}
		for _, f := range facts {
			s.facts[factKey{f.PkgPath, f.Object, reflect.TypeOf(f.Fact)}] = f.Fact
		}
	}
	return s, nil
}

func (s *factStore) objectKey(obj types.Object, fact analysis.Fact) (factKey, bool) {
	if obj == nil || obj.Pkg() == nil {
		return factKey{}, false
	}
	path, err := s.encoder.For(obj)
	if err != nil {
		return factKey{}, false // not reachable from the package's API
	}
	return factKey{obj.Pkg().Path(), path, reflect.TypeOf(fact)}, true
}

func (s *factStore) importObjectFact(obj types.Object, fact analysis.Fact) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.objectKey(obj, fact)
	if !ok {
		return false
	}
	return copyFact(s.facts[k], fact)
}

func (s *factStore) exportObjectFact(a *analysis.Analyzer, obj types.Object, fact analysis.Fact) {
	if obj.Pkg() != s.pkg {
		panic(fmt.Sprintf("%s: fact %T about %s, which is not in package %s", a.Name, fact, obj, s.pkg.Path()))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.objectKey(obj, fact)
	if ok {
		s.facts[k] = fact
	}
}

func (s *factStore) importPackageFact(pkg *types.Package, fact analysis.Fact) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyFact(s.facts[factKey{pkg.Path(), "", reflect.TypeOf(fact)}], fact)
}

func (s *factStore) exportPackageFact(fact analysis.Fact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.facts[factKey{s.pkg.Path(), "", reflect.TypeOf(fact)}] = fact
}

// copyFact sets *dst to *src; false when there is no src.
func copyFact(src, dst analysis.Fact) bool {
	if src == nil {
		return false
	}
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
	return true
}

func (s *factStore) allObjectFacts(types map[reflect.Type]bool) []analysis.ObjectFact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []analysis.ObjectFact
	for _, k := range s.sortedKeys() {
		if k.obj == "" || !types[k.typ] {
			continue
		}
		pkg := s.packages[k.pkg]
		if k.pkg == s.pkg.Path() {
			pkg = s.pkg
		}
		if pkg == nil {
			continue
		}
		obj, err := objectpath.Object(pkg, k.obj)
		if err != nil {
			continue
		}
		out = append(out, analysis.ObjectFact{Object: obj, Fact: s.facts[k]})
	}
	return out
}

func (s *factStore) allPackageFacts(types map[reflect.Type]bool) []analysis.PackageFact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []analysis.PackageFact
	for _, k := range s.sortedKeys() {
		if k.obj != "" || !types[k.typ] {
			continue
		}
		pkg := s.packages[k.pkg]
		if k.pkg == s.pkg.Path() {
			pkg = s.pkg
		}
		if pkg != nil {
			out = append(out, analysis.PackageFact{Package: pkg, Fact: s.facts[k]})
		}
	}
	return out
}

func (s *factStore) sortedKeys() []factKey {
	keys := make([]factKey, 0, len(s.facts))
	for k := range s.facts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.pkg != b.pkg {
			return a.pkg < b.pkg
		}
		if a.obj != b.obj {
			return a.obj < b.obj
		}
		return a.typ.String() < b.typ.String()
	})
	return keys
}

// encode returns the facts this unit passes on: its own, and those of its
// imports about methods and fields (which a package importing this one can
// reach through values without importing their package). Facts about
// another package itself, or about its package-level objects, are only read
// by that package's direct importers. (No deadlinelint fact is about a
// type.)
func (s *factStore) encode() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []gobFact
	for _, k := range s.sortedKeys() {
		if k.pkg != s.pkg.Path() && !reachableThroughValues(k.obj) {
			continue
		}
		out = append(out, gobFact{PkgPath: k.pkg, Object: k.obj, Fact: s.facts[k]})
	}
	if len(out) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// reachableThroughValues reports whether an object path names something
// inside a package-level object (a method or a field): objectpath encodes a
// package-level object as its bare name and anything inside one with
// further components after a dot.
func reachableThroughValues(p objectpath.Path) bool {
	return strings.Contains(string(p), ".")
}

// writeOutput writes the unit's .vetx file: facts, and types when go vet
// passes no compiler export data (then importers read types from here).
func writeOutput(unit *unitchecker.Config, fset *token.FileSet, pkg *types.Package, facts *factStore) error {
	if unit.VetxOutput == "" {
		return nil
	}
	var (
		v   vetx
		err error
	)
	if v.facts, err = facts.encode(); err != nil {
		return err
	}
	if facts.importPackageFact(pkg, suite.RelevantFact()) {
		v.flags |= flagRelevant
	}
	if len(unit.PackageFile) == 0 {
		var b bytes.Buffer
		if err := gcexportdata.Write(&b, fset, pkg); err != nil {
			return err
		}
		v.types = b.Bytes()
	}
	return writeVetx(unit.VetxOutput, v)
}
