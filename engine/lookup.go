package engine

import "github.com/safeguarding-partnerships/escalation/calendar"

// Calendar returns the calendar the policy's deadlines are counted in: the
// one given to Load with WithCalendar, or its jurisdiction's own.
func (p *Policy) Calendar() *calendar.Calendar { return p.calendar }

// Role returns the role with the id.
func (p *Policy) Role(id string) (*Role, bool) { r, ok := p.roles[id]; return r, ok }

// Fact returns the fact with the id.
func (p *Policy) Fact(id string) (*Fact, bool) { f, ok := p.facts[id]; return f, ok }

// Milestone returns the milestone with the id.
func (p *Policy) Milestone(id string) (*Milestone, bool) { m, ok := p.milestones[id]; return m, ok }

// Form returns the form with the id.
func (p *Policy) Form(id string) (*Form, bool) { f, ok := p.forms[id]; return f, ok }

// Stage returns the stage with the id.
func (p *Policy) Stage(id string) (*Stage, bool) { s, ok := p.stages[id]; return s, ok }

// Outcome returns the outcome with the id.
func (p *Policy) Outcome(id string) (*Outcome, bool) { o, ok := p.outcomes[id]; return o, ok }

// Obligation returns the stage's obligation with the id. A stage has a
// handful, so a search is as quick as an index.
func (s *Stage) Obligation(id string) (*Obligation, bool) {
	for _, ob := range s.Obligations {
		if ob.ID == id {
			return ob, true
		}
	}
	return nil, false
}
