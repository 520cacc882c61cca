package engine

import (
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// The guard variables built from the current visit (obligations, overdue)
// and the case's milestones are read in place from the activation, not
// copied into a new map or list for every evaluation: a guard that reads
// one obligation's status scans the visit's few obligations and allocates
// nothing. Each value is a single pointer, so handing it to CEL as a ref.Val
// allocates nothing either. The lookups guards make (a key, membership,
// size) are answered directly; anything else (iteration, equality,
// conversion) is answered by the equivalent CEL value, built on demand.
//
// A value is valid only while its activation is, which is the guard's
// evaluation: guards give a bool, so no value outlives it.

// obligationsVal is `obligations`: each obligation of the visit, by id, to
// its status at `now`.
type obligationsVal struct{ a *activation }

var _ traits.Mapper = obligationsVal{}

func (v obligationsVal) status(id string) (ref.Val, bool) {
	for i := range v.a.obligations {
		if o := &v.a.obligations[i]; o.ID == id {
			return v.a.p.str(string(o.status(v.a.now))), true
		}
	}
	return nil, false
}

func (v obligationsVal) built() traits.Mapper {
	m := make(map[string]string, len(v.a.obligations))
	for i := range v.a.obligations {
		o := &v.a.obligations[i]
		m[o.ID] = string(o.status(v.a.now))
	}
	return types.NewStringStringMap(types.DefaultTypeAdapter, m)
}

// FindStringKey is cel-go's quick path for a field selection, obligations.id.
func (v obligationsVal) FindStringKey(id string) (any, bool) { return v.status(id) }

func (v obligationsVal) Find(key ref.Val) (ref.Val, bool) {
	if id, ok := key.(types.String); ok {
		return v.status(string(id))
	}
	return v.built().Find(key)
}

func (v obligationsVal) Get(key ref.Val) ref.Val {
	if st, ok := v.Find(key); ok {
		return st
	}
	return v.built().Get(key) // the error CEL gives for a missing key
}

func (v obligationsVal) Contains(key ref.Val) ref.Val {
	if id, ok := key.(types.String); ok {
		_, found := v.status(string(id))
		return types.Bool(found)
	}
	return v.built().Contains(key)
}

func (v obligationsVal) Size() ref.Val             { return types.Int(len(v.a.obligations)) }
func (v obligationsVal) Iterator() traits.Iterator { return v.built().Iterator() }
func (v obligationsVal) ConvertToNative(t reflect.Type) (any, error) {
	return v.built().ConvertToNative(t)
}
func (v obligationsVal) ConvertToType(t ref.Type) ref.Val { return v.built().ConvertToType(t) }
func (v obligationsVal) Equal(other ref.Val) ref.Val      { return v.built().Equal(other) }
func (v obligationsVal) Type() ref.Type                   { return types.MapType }
func (v obligationsVal) Value() any                       { return v.built().Value() }

// milestonesVal is `milestones`: each milestone set, by id, to when.
type milestonesVal struct{ a *activation }

var _ traits.Mapper = milestonesVal{}

func (v milestonesVal) at(id string) (ref.Val, bool) {
	t, ok := v.a.milestones[id]
	if !ok {
		return nil, false
	}
	return types.Timestamp{Time: t}, true
}

func (v milestonesVal) built() traits.Mapper {
	m := make(map[string]any, len(v.a.milestones))
	for k, t := range v.a.milestones {
		m[k] = types.Timestamp{Time: t}
	}
	return types.NewStringInterfaceMap(types.DefaultTypeAdapter, m)
}

// FindStringKey is cel-go's quick path for a field selection, milestones.id.
func (v milestonesVal) FindStringKey(id string) (any, bool) { return v.at(id) }

func (v milestonesVal) Find(key ref.Val) (ref.Val, bool) {
	if id, ok := key.(types.String); ok {
		return v.at(string(id))
	}
	return v.built().Find(key)
}

func (v milestonesVal) Get(key ref.Val) ref.Val {
	if t, ok := v.Find(key); ok {
		return t
	}
	return v.built().Get(key)
}

func (v milestonesVal) Contains(key ref.Val) ref.Val {
	if id, ok := key.(types.String); ok {
		_, found := v.a.milestones[string(id)]
		return types.Bool(found)
	}
	return v.built().Contains(key)
}

func (v milestonesVal) Size() ref.Val             { return types.Int(len(v.a.milestones)) }
func (v milestonesVal) Iterator() traits.Iterator { return v.built().Iterator() }
func (v milestonesVal) ConvertToNative(t reflect.Type) (any, error) {
	return v.built().ConvertToNative(t)
}
func (v milestonesVal) ConvertToType(t ref.Type) ref.Val { return v.built().ConvertToType(t) }
func (v milestonesVal) Equal(other ref.Val) ref.Val      { return v.built().Equal(other) }
func (v milestonesVal) Type() ref.Type                   { return types.MapType }
func (v milestonesVal) Value() any                       { return v.built().Value() }

// overdueVal is `overdue`: the ids of the visit's obligations overdue at
// `now`, in the policy's order.
type overdueVal struct{ a *activation }

var _ traits.Lister = overdueVal{}

func (v overdueVal) built() traits.Lister {
	var ids []string
	for i := range v.a.obligations {
		if o := &v.a.obligations[i]; o.status(v.a.now) == StatusOverdue {
			ids = append(ids, o.ID)
		}
	}
	return types.NewStringList(types.DefaultTypeAdapter, ids)
}

func (v overdueVal) Contains(elem ref.Val) ref.Val {
	id, ok := elem.(types.String)
	if !ok {
		return v.built().Contains(elem)
	}
	for i := range v.a.obligations {
		if o := &v.a.obligations[i]; o.ID == string(id) && o.status(v.a.now) == StatusOverdue {
			return types.True
		}
	}
	return types.False
}

func (v overdueVal) Size() ref.Val {
	n := 0
	for i := range v.a.obligations {
		if v.a.obligations[i].status(v.a.now) == StatusOverdue {
			n++
		}
	}
	return types.Int(n)
}

func (v overdueVal) Add(other ref.Val) ref.Val                   { return v.built().Add(other) }
func (v overdueVal) Get(index ref.Val) ref.Val                   { return v.built().Get(index) }
func (v overdueVal) Iterator() traits.Iterator                   { return v.built().Iterator() }
func (v overdueVal) ConvertToNative(t reflect.Type) (any, error) { return v.built().ConvertToNative(t) }
func (v overdueVal) ConvertToType(t ref.Type) ref.Val            { return v.built().ConvertToType(t) }
func (v overdueVal) Equal(other ref.Val) ref.Val                 { return v.built().Equal(other) }
func (v overdueVal) Type() ref.Type                              { return types.ListType }
func (v overdueVal) Value() any                                  { return v.built().Value() }
