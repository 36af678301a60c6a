package vettool

import (
	"bytes"
	"fmt"
	"go/token"
	"go/types"
	"os"

	"golang.org/x/tools/go/analysis/unitchecker"
	"golang.org/x/tools/go/gcexportdata"
)

// importer reads the types of a unit's imports: from the compiler's export
// data when go vet names it (PackageFile), else from the types section of
// the import's .vetx file. packages is shared by all reads, so that every
// package, direct or indirect, has one *types.Package.
type importer struct {
	fset     *token.FileSet
	unit     *unitchecker.Config
	packages map[string]*types.Package
}

func newImporter(fset *token.FileSet, unit *unitchecker.Config) (*importer, error) {
	return &importer{fset: fset, unit: unit, packages: map[string]*types.Package{}}, nil
}

func (i *importer) Import(importPath string) (*types.Package, error) {
	path, ok := i.unit.ImportMap[importPath]
	if !ok {
		return nil, fmt.Errorf("can't resolve import %q", importPath)
	}
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if pkg, ok := i.packages[path]; ok && pkg.Complete() {
		return pkg, nil
	}
	if file, ok := i.unit.PackageFile[path]; ok {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, err := gcexportdata.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("reading export data for %q: %v", path, err)
		}
		return gcexportdata.Read(r, i.fset, i.packages, path)
	}
	vetx, ok := i.unit.PackageVetx[path]
	if !ok {
		return nil, fmt.Errorf("no export data or vetx file for %q", path)
	}
	v, err := readVetx(vetx)
	if err != nil {
		return nil, err
	}
	typesData := v.types
	if len(typesData) == 0 {
		return nil, fmt.Errorf("vetx file for %q has no types (and go vet passed no export data)", path)
	}
	return gcexportdata.Read(bytes.NewReader(typesData), i.fset, i.packages, path)
}
