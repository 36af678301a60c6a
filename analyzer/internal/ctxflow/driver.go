package ctxflow

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// driverOrigin is what the analysis knows of the driver behind a
// database/sql handle.
type driverOrigin uint8

const (
	driverUnseen    driverOrigin = iota // made where the analysis cannot see (a parameter)
	driverBounded                       // sql.Open of a driver that bounds its waits itself
	driverOther                         // sql.Open of another driver
	driverMixed                         // bounded on some paths, unseen on the others
	driverSearching                     // memo mark: a search under way (a cycle answers unseen)
)

// driverBound judges a database/sql call by the driver of its handle
// (knowledge.SelfBoundingDriver): a *sql.DB that sql.Open made for such a
// driver on every path (or a Tx, Conn or Stmt from one) is bounded; one
// made so on some paths and out of sight on the others (a constructor that
// opens its own database, next to one that takes the caller's) is unknown,
// reported only where a caller's context is dropped; anything else is
// judged as before, by its context alone.
func (r *Result) driverBound(v ssa.Value) Boundedness {
	switch r.driverOf(v) {
	case driverBounded:
		return ReceiverBounded
	case driverMixed:
		return ReceiverUnknown
	case driverUnseen:
		if r.opensOnlySelfBounding() {
			// A handle from a caller, in a package whose own databases
			// are all embedded (golang-migrate's sqlite3 driver: Open
			// hands sql.Open("sqlite3", …) to WithInstance): most likely
			// one of those; judged like a mixed origin.
			return ReceiverUnknown
		}
	}
	return NotApplicable
}

// opensOnlySelfBounding reports whether the package opens databases
// (sql.Open) and every one of them for a driver that bounds its waits
// itself, by a constant name.
func (r *Result) opensOnlySelfBounding() bool {
	if r.embeddedOnly != 0 {
		return r.embeddedOnly > 0
	}
	opens, bounded := 0, true
	for _, fn := range r.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee, _, args := SplitCall(call.Common())
				if knowledge.RoleOf(callee) != knowledge.SQLOpen {
					continue
				}
				opens++
				if len(args) != 2 {
					bounded = false
					continue
				}
				c, ok := args[0].(*ssa.Const)
				if !ok || c.Value == nil || c.Value.Kind() != constant.String {
					bounded = false
					continue
				}
				if _, ok := knowledge.SelfBoundingDriver(constant.StringVal(c.Value)); !ok {
					bounded = false
				}
			}
		}
	}
	r.embeddedOnly = -1
	if opens > 0 && bounded {
		r.embeddedOnly = 1
	}
	return r.embeddedOnly > 0
}

func (r *Result) driverOf(v ssa.Value) driverOrigin {
	if v == nil {
		return driverUnseen
	}
	return r.memoDriver(v, func() driverOrigin { return r.driverOfUncached(v) })
}

// memoDriver answers a driver search once per value, field or variable, so
// a search costs at most their number.
func (r *Result) memoDriver(key any, compute func() driverOrigin) driverOrigin {
	return memo(r, r.drivers, key, driverSearching, driverUnseen, compute)
}

func (r *Result) driverOfUncached(v ssa.Value) driverOrigin {
	switch x := StripInterface(v).(type) {
	case *ssa.Call:
		return r.driverOfCall(x)
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok && x.Index == 0 {
			return r.driverOfCall(call)
		}
	case *ssa.Phi:
		var origins []driverOrigin
		for _, e := range x.Edges {
			if e != x {
				origins = append(origins, r.driverOf(e))
			}
		}
		return mergeDrivers(origins)
	case *ssa.FreeVar:
		if b := r.binding(x); b != nil {
			return r.driverOf(b)
		}
	case *ssa.UnOp:
		if x.Op != token.MUL {
			break
		}
		switch addr := x.X.(type) {
		case *ssa.Global:
			return r.storedDriver(addr)
		case *ssa.FieldAddr:
			return r.storedDriver(structField(addr.X.Type(), addr.Field))
		case *ssa.Alloc, *ssa.FreeVar:
			if local := r.underlyingLocal(x); local != x {
				return r.driverOf(local)
			}
		}
	case *ssa.Field:
		return r.storedDriver(structField(x.X.Type(), x.Field))
	}
	return driverUnseen
}

// driverOfCall: sql.Open with a constant driver name, or a handle derived
// from another (db.Begin(), db.Conn(ctx), tx.Prepare(q)).
func (r *Result) driverOfCall(call *ssa.Call) driverOrigin {
	callee, recv, args := SplitCall(call.Common())
	if knowledge.RoleOf(callee) == knowledge.SQLOpen && len(args) == 2 {
		if c, ok := args[0].(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.String {
			if _, bounded := knowledge.SelfBoundingDriver(constant.StringVal(c.Value)); bounded {
				return driverBounded
			}
			return driverOther
		}
		return driverUnseen
	}
	if recv != nil && knowledge.TypeRole(recv.Type()) == knowledge.SQLHandleType {
		return r.driverOf(recv)
	}
	return driverUnseen
}

// storedDriver merges what the package stores to a field or variable.
func (r *Result) storedDriver(key any) driverOrigin {
	if key == nil || key == any((*types.Var)(nil)) {
		return driverUnseen
	}
	return r.memoDriver(key, func() driverOrigin {
		r.indexStores()
		var origins []driverOrigin
		for _, val := range r.stores[key] {
			origins = append(origins, r.driverOf(val))
		}
		return mergeDrivers(origins)
	})
}

func mergeDrivers(origins []driverOrigin) driverOrigin {
	if len(origins) == 0 {
		return driverUnseen
	}
	bounded, unseen := false, false
	for _, o := range origins {
		switch o {
		case driverOther:
			return driverOther
		case driverBounded:
			bounded = true
		case driverUnseen:
			unseen = true
		case driverMixed:
			bounded, unseen = true, true
		}
	}
	switch {
	case bounded && unseen:
		return driverMixed
	case bounded:
		return driverBounded
	}
	return driverUnseen
}
