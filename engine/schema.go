package engine

import (
	"encoding/json"
	"strings"
)

// schemaID is where the schema is published, as LANGUAGE.md's modeline names it.
const schemaID = "https://raw.githubusercontent.com/safeguarding-partnerships/escalation/main/policies/policy.schema.json"

// JSONSchema returns a JSON Schema (draft 2020-12) for policy files, for
// editors' completion and inline errors. It is generated from the key tables
// the loader checks files against, so the two agree; the loader checks more
// (references, guards, the graph). The output is indented and the same on
// every call.
func JSONSchema() []byte {
	defs := map[string]any{}
	root := objectSchema(policyShape, defs)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = schemaID
	root["title"] = "Escalation policy (" + strings.Join(languages[:], ", ") + ")"
	root["$defs"] = defs
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic("engine: cannot encode the policy schema: " + err.Error()) // only maps, slices and strings: cannot happen
	}
	return append(out, '\n')
}

// defName is a shape's name in $defs.
func defName(s *shape) string { return strings.ReplaceAll(s.name, " ", "_") }

func objectSchema(sh *shape, defs map[string]any) map[string]any {
	props := map[string]any{}
	required := []string{}
	var all []any
	for _, f := range sh.fields {
		s := typeSchema(&f.typ, defs)
		s["description"] = f.desc
		props[f.name] = s
		if f.required {
			required = append(required, f.name)
		}
		if c := f.onlyIf; c != nil {
			all = append(all, map[string]any{
				"if":   map[string]any{"properties": map[string]any{c.key: map[string]any{"const": c.value}}, "required": []string{c.key}},
				"then": present(f.name),
				"else": map[string]any{"not": present(f.name)},
			})
		}
	}
	for _, x := range sh.exclusive {
		all = append(all, map[string]any{"not": present(x[0], x[1])})
	}
	o := map[string]any{"type": "object", "description": sh.desc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	if len(sh.forms) > 0 {
		o["oneOf"] = formsSchema(sh.forms)
	}
	if len(all) > 0 {
		o["allOf"] = all
	}
	return o
}

// present is the schema of an object that has the keys. Each is defined
// (as true: the object's own schema says what it may hold) beside the
// required list, as strict validators require of every required key.
func present(keys ...string) map[string]any {
	props := make(map[string]any, len(keys))
	for _, k := range keys {
		props[k] = true
	}
	return map[string]any{"properties": props, "required": keys}
}

// anyType is a value of any of the types, written as anyOf: strict
// validators refuse a list of types.
func anyType(types ...string) map[string]any {
	of := make([]any, len(types))
	for i, t := range types {
		of[i] = map[string]any{"type": t}
	}
	return map[string]any{"anyOf": of}
}

// formsSchema says that exactly one form's keys are given, all of them, and
// no key of another form.
func formsSchema(forms [][]string) []any {
	var out []any
	for i, form := range forms {
		var others []any
		for j, other := range forms {
			for _, k := range other {
				if j != i {
					others = append(others, present(k))
				}
			}
		}
		alt := present(form...)
		alt["not"] = map[string]any{"anyOf": others}
		out = append(out, alt)
	}
	return out
}

// shapeRef returns a reference to a shape's definition, adding it once.
func shapeRef(sh *shape, defs map[string]any) map[string]any {
	name := defName(sh)
	if _, ok := defs[name]; !ok {
		defs[name] = nil // mark it first: a shape's keys may refer to shapes in turn
		defs[name] = objectSchema(sh, defs)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

func typeSchema(t *typ, defs map[string]any) map[string]any {
	ident := strings.Trim(identPattern, "^$")
	switch t.kind {
	case kindScalar:
		return anyType("string", "number", "boolean")
	case kindBool:
		return map[string]any{"type": "boolean"}
	case kindDate:
		return map[string]any{"type": "string", "format": "date"}
	case kindWithin:
		return map[string]any{"type": "string", "examples": []string{"2 working days", "1 working day", "24 hours", "immediately", "without delay"}}
	case kindYearly:
		return map[string]any{"type": "string", "examples": []string{"9 May", "first Monday of June", "last Monday of August"}}
	case kindEnum:
		return map[string]any{"type": "string", "enum": t.values}
	case kindRef:
		if t.ref == "document" {
			return map[string]any{"type": "string", "minLength": 1}
		}
		return map[string]any{"type": "string", "pattern": identPattern}
	case kindPolicyID:
		return map[string]any{"type": "string", "pattern": policyIDPattern}
	case kindFrom:
		return map[string]any{"type": "string", "pattern": `^(stage|raised|milestone\.` + ident + `|fact\.` + ident + `)$`}
	case kindFactRef:
		return map[string]any{"type": "string", "pattern": `^fact\.` + ident + `$`}
	case kindAny:
		return anyType("boolean", "integer", "string", "array")
	case kindList:
		s := map[string]any{"type": "array", "items": typeSchema(t.elem, defs)}
		if t.elem.kind != kindObject {
			s["uniqueItems"] = true
		}
		if t.min > 0 {
			s["minItems"] = t.min
		}
		return s
	case kindObject:
		return shapeRef(t.shape, defs)
	case kindIDMap:
		s := map[string]any{"type": "object", "propertyNames": map[string]any{"pattern": identPattern},
			"additionalProperties": shapeRef(t.shape, defs)}
		if t.min > 0 {
			s["minProperties"] = t.min
		}
		return s
	case kindSources:
		src := shapeRef(sourceShape, defs)
		return map[string]any{"oneOf": []any{src, map[string]any{"type": "array", "items": src}}}
	}
	return map[string]any{"type": "string", "minLength": 1} // kindText, kindGuard
}
