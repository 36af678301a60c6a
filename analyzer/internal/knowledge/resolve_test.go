package knowledge

import (
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestEveryEntryResolves looks up every entry of every table against the
// real standard library or the stubs under testdata/src: a misspelled or
// stale entry fails here instead of silently never matching.
func TestEveryEntryResolves(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the standard library and the stubs")
	}
	pkgs := loadAll(t)
	resolve := func(name string) types.Object {
		obj, err := lookupFullName(pkgs, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return obj
	}
	for _, name := range New(nil).Names() {
		fn, ok := resolve(name).(*types.Func)
		if !ok {
			continue
		}
		s := New(nil).Lookup(fn)
		params := fn.Signature().Params()
		if i, has := s.Context.Index(); has && (i >= params.Len() || !IsContext(params.At(i).Type())) {
			t.Errorf("%s: context argument %d is not a context.Context", name, i)
		}
		if i, has := s.Request.Index(); has && (i >= params.Len() || TypeRole(params.At(i).Type()) != HTTPRequestType) {
			t.Errorf("%s: request argument %d is not an *http.Request", name, i)
		}
	}
	for name, role := range roles {
		obj := resolve(name)
		switch obj := obj.(type) {
		case *types.Func:
			if RoleOf(obj) != role {
				t.Errorf("%s: RoleOf = %v, want %v", name, RoleOf(obj), role)
			}
		case *types.Var:
			if VarRole(obj) != role {
				t.Errorf("%s: VarRole = %v, want %v", name, VarRole(obj), role)
			}
		case *types.TypeName:
			if TypeRole(obj.Type()) != role {
				t.Errorf("%s: TypeRole = %v, want %v", name, TypeRole(obj.Type()), role)
			}
		}
	}
	for name := range eventWaits {
		if fn, ok := resolve(name).(*types.Func); ok {
			if s := New(nil).Lookup(fn); s == nil || !s.Event {
				t.Errorf("%s: not an event wait of the catalog", name)
			}
		}
	}
	for name := range nonWaiting {
		if fn, ok := resolve(name).(*types.Func); ok && !NonWaiting(fn) {
			t.Errorf("%s: NonWaiting is false", name)
		}
	}
	for name, c := range cleanups {
		fn, ok := resolve(name).(*types.Func)
		if !ok {
			continue
		}
		params := fn.Signature().Params()
		if i, has := c.Context.Index(); !has || i >= params.Len() || !IsContext(params.At(i).Type()) {
			t.Errorf("%s: cleanup context argument is not a context.Context", name)
		}
		if CleanupOf(fn) == nil {
			t.Errorf("%s: CleanupOf is nil", name)
		}
	}
}

// loadAll loads the standard packages the tables name, in module mode, and
// the stubs, in GOPATH mode from testdata.
func loadAll(t *testing.T) map[string]*types.Package {
	t.Helper()
	paths := map[string]bool{}
	for _, name := range New(nil).Names() {
		paths[PackageOf(name)] = true
	}
	for name := range roles {
		paths[PackageOf(name)] = true
	}
	for name := range nonWaiting {
		paths[PackageOf(name)] = true
	}
	for name := range eventWaits {
		paths[PackageOf(name)] = true
	}
	for name := range cleanups {
		paths[PackageOf(name)] = true
	}
	var std, stubs []string
	testdata, err := filepath.Abs("../../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	for p := range paths {
		if _, err := os.Stat(filepath.Join(testdata, "src", p)); err == nil {
			stubs = append(stubs, p)
		} else {
			std = append(std, p)
		}
	}
	out := map[string]*types.Package{}
	load := func(env []string, dir string, patterns []string) {
		cfg := &packages.Config{Mode: packages.NeedTypes | packages.NeedName, Env: append(os.Environ(), env...), Dir: dir}
		loaded, err := packages.Load(cfg, patterns...)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range loaded {
			for _, e := range p.Errors {
				t.Errorf("loading %s: %v", p.PkgPath, e)
			}
			out[p.PkgPath] = p.Types
		}
	}
	load(nil, ".", std)
	load([]string{"GOPATH=" + testdata, "GO111MODULE=off", "GOFLAGS="}, testdata, stubs)
	return out
}

// lookupFullName finds the object a full name denotes: "pkg.Name",
// "(pkg.Type).Method", "(*pkg.Type).Method".
func lookupFullName(pkgs map[string]*types.Package, name string) (types.Object, error) {
	pkg := pkgs[PackageOf(name)]
	if pkg == nil {
		return nil, errorf("package %s not loaded (add a stub under testdata/src)", PackageOf(name))
	}
	if !strings.HasPrefix(name, "(") {
		obj := pkg.Scope().Lookup(name[len(pkg.Path())+1:])
		if obj == nil {
			return nil, errorf("no %s in %s", name[len(pkg.Path())+1:], pkg.Path())
		}
		return obj, nil
	}
	recv, method, _ := strings.Cut(name[1:], ").")
	ptr := strings.HasPrefix(recv, "*")
	typeName := strings.TrimPrefix(recv, "*")[len(pkg.Path())+1:]
	tn, ok := pkg.Scope().Lookup(typeName).(*types.TypeName)
	if !ok {
		return nil, errorf("no type %s in %s", typeName, pkg.Path())
	}
	var t types.Type = tn.Type()
	if ptr {
		t = types.NewPointer(t)
	}
	obj, _, _ := types.LookupFieldOrMethod(t, false, pkg, method)
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil, errorf("%s has no method %s", recv, method)
	}
	if fn.FullName() != name {
		return nil, errorf("resolves to %s (promoted or on the other receiver): use that name", fn.FullName())
	}
	return fn, nil
}

type stringError string

func (e stringError) Error() string { return string(e) }

func errorf(format string, args ...any) error {
	return stringError(strings.TrimSpace(sprintf(format, args...)))
}

var sprintf = fmt.Sprintf
