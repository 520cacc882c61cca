package policies_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// The committed schema is what editors read; it must be the engine's.
func TestSchemaIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("policy.schema.json")
	if err != nil {
		t.Fatalf("%v: run go run ./cmd/escalation schema > policies/policy.schema.json", err)
	}
	if !bytes.Equal(committed, engine.JSONSchema()) {
		t.Fatal("policies/policy.schema.json differs from engine.JSONSchema(): run go run ./cmd/escalation schema > policies/policy.schema.json")
	}
}
