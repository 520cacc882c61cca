package engine

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONSchema(t *testing.T) {
	out := JSONSchema()
	assert.Equal(t, out, JSONSchema(), "deterministic")
	var s map[string]any
	require.NoError(t, json.Unmarshal(out, &s))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
	assert.Equal(t, false, s["additionalProperties"])
	assert.True(t, bytes.HasPrefix(out, []byte("{\n  \"")), "indented")

	// Every shape the loader checks is in the schema with every key it
	// accepts, each described.
	defs := s["$defs"].(map[string]any)
	seen := map[*shape]bool{}
	var walk func(sh *shape, schema map[string]any)
	walk = func(sh *shape, schema map[string]any) {
		if seen[sh] {
			return
		}
		seen[sh] = true
		props := schema["properties"].(map[string]any)
		assert.Len(t, props, len(sh.fields), sh.name)
		for _, f := range sh.fields {
			p, ok := props[f.name].(map[string]any)
			if assert.True(t, ok, "%s.%s", sh.name, f.name) {
				assert.NotEmpty(t, p["description"], "%s.%s", sh.name, f.name)
			}
			for t2 := &f.typ; t2 != nil; t2 = t2.elem {
				if t2.shape != nil {
					walk(t2.shape, defs[defName(t2.shape)].(map[string]any))
				}
			}
		}
	}
	walk(policyShape, s)
	walk(sourceShape, defs["source"].(map[string]any))
	assert.Len(t, defs, len(seen)-1, "every definition is of a shape (the policy is the root)")

	stage := defs["stage"].(map[string]any)
	assert.Equal(t, []any{"title"}, stage["required"])
	outcome := defs["outcome"].(map[string]any)
	assert.Contains(t, string(mustJSON(t, outcome["allOf"])), `"then":{"properties":{"route":true},"required":["route"]}`)

	// A day off is written in exactly one of its forms: each alternative
	// requires its keys and forbids the others'.
	dayOff := defs["day_off"].(map[string]any)
	assert.JSONEq(t, `[
		{"properties": {"date": true}, "required": ["date"], "not": {"anyOf": [
			{"properties": {"from": true}, "required": ["from"]}, {"properties": {"to": true}, "required": ["to"]}, {"properties": {"yearly": true}, "required": ["yearly"]}]}},
		{"properties": {"from": true, "to": true}, "required": ["from", "to"], "not": {"anyOf": [
			{"properties": {"date": true}, "required": ["date"]}, {"properties": {"yearly": true}, "required": ["yearly"]}]}},
		{"properties": {"yearly": true}, "required": ["yearly"], "not": {"anyOf": [
			{"properties": {"date": true}, "required": ["date"]}, {"properties": {"from": true}, "required": ["from"]}, {"properties": {"to": true}, "required": ["to"]}]}}
	]`, string(mustJSON(t, dayOff["oneOf"])))
	assert.Equal(t, []any{"name"}, dayOff["required"])
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestPublishedSchema checks that the schema editors use is JSONSchema's
// output, once policies/policy.schema.json exists.
func TestPublishedSchema(t *testing.T) {
	published, err := os.ReadFile(filepath.Join("..", "policies", "policy.schema.json"))
	if os.IsNotExist(err) {
		t.Skip("policies/policy.schema.json is not written yet")
	}
	require.NoError(t, err)
	assert.Equal(t, string(JSONSchema()), string(published), "regenerate policies/policy.schema.json from engine.JSONSchema")
}

// The schema passes strict validators (ajv's strict mode among them): every
// schema object that lists required keys defines each of them in its own
// properties, so no required key is a silent misspelling, and every type is
// one type (a union is anyOf), which strict type checking asks for.
func TestJSONSchemaRequiresOnlyDefinedKeys(t *testing.T) {
	var s any
	require.NoError(t, json.Unmarshal(JSONSchema(), &s))
	checked := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		x, ok := v.(map[string]any)
		if !ok {
			return // true or false
		}
		if typ, ok := x["type"]; ok {
			assert.IsType(t, "", typ, "%s: a union of types", path)
		}
		if req, ok := x["required"].([]any); ok {
			props, _ := x["properties"].(map[string]any)
			for _, r := range req {
				checked++
				_, defined := props[r.(string)]
				assert.True(t, defined, "%s: required %q is not defined in its properties", path, r)
			}
		}
		for k, c := range x {
			switch k {
			case "properties", "$defs":
				for name, sub := range c.(map[string]any) {
					walk(path+"/"+k+"/"+name, sub)
				}
			case "allOf", "anyOf", "oneOf":
				for i, sub := range c.([]any) {
					walk(path+"/"+k+"/"+strconv.Itoa(i), sub)
				}
			case "items", "not", "if", "then", "else", "additionalProperties", "propertyNames":
				walk(path+"/"+k, c)
			}
		}
	}
	walk("#", s)
	assert.Positive(t, checked)
}
