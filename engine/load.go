package engine

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

// DefaultMaxBytes is the largest policy file Load reads unless WithMaxBytes
// says otherwise: the bundled policies are about 10 KiB.
const DefaultMaxBytes = 1 << 20

// loadConfig is what LoadOptions set.
type loadConfig struct {
	today     calendar.Date
	calendar  *calendar.Calendar
	budget    uint64
	maxBytes  int
	documents fs.FS // where the policy's documents are, to check its quotes
	key       *recordKey
}

// LoadOption configures Load. An option that fails becomes an error
// Diagnostic.
type LoadOption func(*loadConfig) error

// WithToday gives Load today's date, so that it warns when the policy's
// review date has passed. The engine never reads the clock itself.
func WithToday(d calendar.Date) LoadOption {
	return func(c *loadConfig) error {
		if d.IsZero() {
			return errors.New("WithToday needs a date")
		}
		c.today = d
		return nil
	}
}

// WithCalendar has the policy count deadlines in c, for example a calendar
// with the host's own closure days, instead of its jurisdiction's own. c's
// jurisdiction must be the policy's.
func WithCalendar(c *calendar.Calendar) LoadOption {
	return func(cfg *loadConfig) error {
		if c == nil {
			return errors.New("WithCalendar needs a calendar")
		}
		cfg.calendar = c
		return nil
	}
}

// WithGuardCostBudget sets the most a guard's estimated worst-case cost may
// be, in CEL cost units (DefaultGuardCostBudget unless set). At run time a
// guard stops with an error past ten times the budget.
func WithGuardCostBudget(n uint64) LoadOption {
	return func(c *loadConfig) error {
		if n == 0 {
			return errors.New("WithGuardCostBudget needs a budget above 0")
		}
		c.budget = n
		return nil
	}
}

// WithMaxBytes sets the largest file Load reads (DefaultMaxBytes unless set).
func WithMaxBytes(n int) LoadOption {
	return func(c *loadConfig) error {
		if n <= 0 {
			return errors.New("WithMaxBytes needs a size above 0")
		}
		c.maxBytes = n
		return nil
	}
}

// Load parses, checks and compiles one policy file; file is the name
// diagnostics give it. It reports every problem it finds, not just the
// first. On any error it returns nil and the diagnostics, errors and
// warnings, sorted; otherwise the policy and its warnings.
//
// Load bounds what a hostile file can cost: its size (WithMaxBytes), nesting
// depth (32), nodes reached through YAML aliases (10,000), stages and
// any_stage transitions (256 each), guards (1,000), a guard's length (4,000
// characters) and estimated cost (WithGuardCostBudget), and the number of
// diagnostics (1,000 errors and 1,000 warnings).
func Load(file string, src []byte, opts ...LoadOption) (p *Policy, ds Diagnostics) {
	b := &builder{
		f:   yamlfront.NewFile(file, src),
		cfg: &loadConfig{budget: DefaultGuardCostBudget, maxBytes: DefaultMaxBytes},
		sug: suggest.New(),
		p: &Policy{File: file, roles: map[string]*Role{}, facts: map[string]*Fact{}, milestones: map[string]*Milestone{},
			forms: map[string]*Form{}, stages: map[string]*Stage{}, outcomes: map[string]*Outcome{}},
		docs:      map[string]bool{},
		usedRoles: map[*Role]bool{},
		usedFacts: map[*Fact]bool{},
		setMiles:  map[*Milestone]bool{},
		scopes:    map[*Transition]*scope{},
		idLists:   map[string][]string{},
	}
	defer func() {
		// A last resort: every panic found is fixed at its cause, but a
		// policy file must never crash its host.
		if r := recover(); r != nil {
			b.report(SeverityError, Pos{File: file}, Pos{}, "internal", fmt.Sprintf("internal error while loading (please report it): %v", r), "")
			p, ds = nil, b.f.Diagnostics()
		}
	}()
	b.load(file, opts)
	ds = b.f.Diagnostics()
	if b.f.HasErrors() {
		return nil, ds
	}
	return b.p, ds
}

// load runs the loader's passes; each reports what it finds and the later
// ones run only once the file is a safe YAML tree.
func (b *builder) load(file string, opts []LoadOption) {
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(b.cfg); err != nil {
			b.report(SeverityError, Pos{File: file}, Pos{}, "bad-option", err.Error(), "")
		}
	}
	b.p.key = b.cfg.key
	root := b.f.Read(yamlfront.Options{MaxBytes: b.cfg.maxBytes, Noun: "policy", Start: "language: " + latest.String()})
	if root == nil {
		return
	}
	b.policy(root)
	b.resolve()
	b.compileGuards()
	b.markReactive()
	b.checkGraph()
	b.setCalendar()
	b.warnings()
	b.checkQuotes()
}
