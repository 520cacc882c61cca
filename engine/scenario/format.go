package scenario

import (
	"strings"
	"sync"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfmt"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// expectOrder is the order Format puts expectations in: a refusal first
// (what the step did), then where the case is and what it owes, as the
// bundled scenarios write them.
var expectOrder = []string{"refused", "stage", "outcome", "due", "status", "overdue", "available"}

// formatRule orders a scenario file's keys as SCENARIOS.md lists them (the
// expectations by expectOrder); the obligations under due and status, and
// facts and forms, keep the file's order.
var formatRule = sync.OnceValue(func() *yamlfmt.Rule {
	expect := &yamlfmt.Rule{Keys: expectOrder, Fields: map[string]*yamlfmt.Rule{
		"overdue":   {Keys: overdueKeys},
		"available": {Keys: availableKeys},
		"refused":   {Keys: refusedKeys},
	}}
	return &yamlfmt.Rule{Keys: fileKeys, Fields: map[string]*yamlfmt.Rule{
		"raised": {Keys: raisedKeys},
		"expect": expect,
		"steps":  {Items: &yamlfmt.Rule{Keys: stepKeys, Fields: map[string]*yamlfmt.Rule{"expect": expect}}},
	}}
})

// Format returns a scenario file laid out canonically, as engine.Format lays
// out a policy: keys in the order SCENARIOS.md lists them (a refusal first
// among the expectations), two spaces of
// indentation a level, comments and every value's text kept. It never
// changes what the file says; the file must be one YAML document within
// Parse's limits.
func Format(name string, src []byte) ([]byte, engine.Diagnostics) {
	f := yamlfront.NewFile(name, src)
	root := f.Read(readOptions)
	if ds := f.Diagnostics(); ds.HasErrors() {
		return nil, ds
	}
	out, err := yamlfmt.Format(src, formatRule())
	if err != nil {
		pos := engine.Pos{File: name}
		if root != nil {
			pos.Line = root.Line
		}
		return nil, engine.Diagnostics{{Severity: engine.SeverityError, Pos: pos, Code: "cannot-format",
			Message: "cannot format the file: " + strings.TrimPrefix(err.Error(), "yaml: "), Hint: "the file is left as it is"}}
	}
	return out, nil
}
