package ctxflow

// Relevant is a package fact: the package declares a call that waits on the
// outside world (a catalog sink) or imports a package that is Relevant. Only
// such packages can export facts about waits; `go vet` runs the suite on
// every dependency for facts, and deadlinelint's vet tool skips a
// dependency none of whose imports is Relevant without parsing it (see
// the vettool package). The fact is what makes that skip safe: a package
// that was skipped exports nothing, so a package importing only such
// packages is judged the same way whether it was skipped or analysed.
type Relevant struct {
	// Via is the import that makes the package relevant ("net", or an
	// import that is itself Relevant); empty when the package declares
	// sinks itself.
	Via string
}

func (*Relevant) AFact() {}

func (f *Relevant) String() string {
	if f.Via == "" {
		return "declares sinks"
	}
	return "imports " + f.Via
}

// relevance decides and exports the package's Relevant fact.
func (r *Result) relevance() bool {
	pkg := r.Pass.Pkg
	if r.Catalog.DefinesSinks(pkg.Path()) {
		r.Pass.ExportPackageFact(&Relevant{})
		return true
	}
	for _, imp := range pkg.Imports() {
		if r.Catalog.DefinesSinks(imp.Path()) || r.Pass.ImportPackageFact(imp, new(Relevant)) {
			r.Pass.ExportPackageFact(&Relevant{Via: imp.Path()})
			return true
		}
	}
	return false
}
