package engine

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	assert.Contains(t, string(mustJSON(t, outcome["allOf"])), `"then":{"required":["route"]}`)

	// A day off is written in exactly one of its forms: each alternative
	// requires its keys and forbids the others'.
	dayOff := defs["day_off"].(map[string]any)
	assert.JSONEq(t, `[
		{"required": ["date"], "not": {"anyOf": [{"required": ["from"]}, {"required": ["to"]}, {"required": ["yearly"]}]}},
		{"required": ["from", "to"], "not": {"anyOf": [{"required": ["date"]}, {"required": ["yearly"]}]}},
		{"required": ["yearly"], "not": {"anyOf": [{"required": ["date"]}, {"required": ["from"]}, {"required": ["to"]}]}}
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
