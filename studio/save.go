package studio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

// SaveRequest asks to save a played case as a scenario file named Name (a
// file name, without folders) in the "scenarios" folder beside the policy.
// An existing file is replaced only with Overwrite, which the page sets
// after asking the author.
type SaveRequest struct {
	Name      string      `json:"name"`
	Title     string      `json:"title"`
	Overwrite bool        `json:"overwrite"`
	Play      PlayRequest `json:"play"`
}

// SaveView is what saving did: the file written, relative to DIR, and how
// the scenario runs now.
type SaveView struct {
	File   string       `json:"file"`
	Result ScenarioView `json:"result"`
	Exists bool         `json:"exists,omitempty"` // the file is there and Overwrite was not set: nothing was written
}

// scenarioName is a file name the studio will write: letters, digits, "-",
// "_" and ".", not starting with a dot, so it can name no folder.
var scenarioName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func (s *Server) save(w http.ResponseWriter, r *http.Request) {
	var req SaveRequest
	if !readJSON(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if !isYAML(name) {
		name += ".yaml"
	}
	if !scenarioName.MatchString(name) || strings.Contains(name, "..") {
		writeError(w, http.StatusBadRequest, "%q cannot be a scenario file's name: use letters, digits, - and _ (for example resolved-at-stage2)", req.Name)
		return
	}
	if strings.TrimSpace(req.Title) == "" {
		writeError(w, http.StatusBadRequest, "give the scenario a title: one line saying what the story shows")
		return
	}
	p, ok := s.policy(w, req.Play.File)
	if !ok {
		return
	}
	pl, err := replay(r.Context(), p, &req.Play)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	if pl.refused != nil {
		writeError(w, http.StatusUnprocessableEntity, "step %d (%s) is refused, so the story cannot be saved: %s", pl.refused.Step+1, pl.refused.Event, pl.refused.Message)
		return
	}
	folder := path.Join(path.Dir(req.Play.File), "scenarios")
	src, err := scenarioYAML(r.Context(), pl, &req, path.Base(req.Play.File), strings.TrimSpace(req.Title))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	rel := path.Join(folder, name)
	switch err := s.write(folder, name, src, req.Overwrite); {
	case errors.Is(err, fs.ErrExist):
		// Not an error: the page asks the author, and sends it again to
		// replace the file.
		writeJSON(w, http.StatusOK, SaveView{File: rel, Exists: true})
		return
	case err != nil:
		writeError(w, http.StatusForbidden, "%v", err)
		return
	}
	s.lookNow()
	// Run the file as written, as escalation test would.
	snap := s.snap.Load()
	view, _ := runScenario(r.Context(), &snapshot{policies: snap.policies, sources: map[string][]byte{rel: src}, closures: snap.closures}, found{name: rel, src: src, scenario: true})
	writeJSON(w, http.StatusOK, SaveView{File: rel, Result: view})
}

// lookNow asks the watcher to look for changes at once.
func (s *Server) lookNow() {
	select {
	case s.rebuilds <- struct{}{}:
	default:
	}
}

// write writes a file in a folder of DIR, making the folder if need be.
// It refuses to write anywhere outside DIR: through a folder that is a link
// leading out, or over a link. An existing file is replaced only with
// overwrite, and then by renaming a new file over it; otherwise the error
// is fs.ErrExist.
func (s *Server) write(folder, name string, src []byte, overwrite bool) error {
	dir := filepath.Join(s.dir, filepath.FromSlash(folder))
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("cannot make the folder %s: %w", folder, err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", folder, err)
	}
	if rel, err := filepath.Rel(s.dir, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%s leads outside the studio's folder: the studio writes only inside %s", folder, s.dir)
	}
	target := filepath.Join(real, name)
	info, err := os.Lstat(target)
	switch {
	case err == nil && !info.Mode().IsRegular():
		return fmt.Errorf("%s/%s is not a plain file (a link or a folder): the studio does not write over it", folder, name)
	case err == nil && !overwrite:
		return fs.ErrExist
	case err == nil:
		tmp, err := os.CreateTemp(real, "."+name+".*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.Write(src); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), target)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	// O_EXCL: a file (or link) made since the check is never written through.
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(src); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scenarioYAML writes the played story as a scenario file, each step with
// the expectations as they stood when it was played: where the case is,
// each duty's due date and status, and what the actor's role may do next.
func scenarioYAML(ctx context.Context, pl *played, req *SaveRequest, policyFile, title string) ([]byte, error) {
	root := mapping()
	root.HeadComment = "Played in escalation studio and saved with the expectations as they stood.\nCheck each one against the procedure before relying on it."
	add(root, "scenario", str(title))
	add(root, "policy", str("../"+policyFile))
	raised := mapping()
	actFields(raised, req.Play.Raise, pl.times[0])
	add(root, "raised", raised)
	exp, err := expectations(ctx, pl.p, pl.cases[0], pl.times[0], req.Play.Raise)
	if err != nil {
		return nil, err
	}
	add(root, "expect", exp)
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for i, st := range req.Play.Steps {
		step := mapping()
		add(step, "event", str(st.Event))
		actFields(step, st, pl.times[i+1])
		exp, err := expectations(ctx, pl.p, pl.cases[i+1], pl.times[i+1], st)
		if err != nil {
			return nil, err
		}
		add(step, "expect", exp)
		steps.Content = append(steps.Content, step)
	}
	if len(steps.Content) > 0 {
		add(root, "steps", steps)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	// Laid out as escalation fmt lays scenario files out.
	out, diags := scenario.Format("scenario.yaml", b.Bytes())
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func actFields(m *yaml.Node, a Act, at time.Time) {
	add(m, "at", str(timeText(at)))
	add(m, "by", str(a.By))
	add(m, "role", str(a.Role))
	if a.Agency != "" {
		add(m, "agency", str(a.Agency))
	}
	if len(a.Facts) > 0 {
		facts := flowMapping()
		for _, k := range sortedKeys(a.Facts) {
			add(facts, k, value(a.Facts[k]))
		}
		add(m, "facts", facts)
	}
	if len(a.Forms) > 0 {
		forms := mapping()
		for _, id := range sortedKeys(a.Forms) {
			fields := mapping()
			for _, k := range sortedKeys(a.Forms[id]) {
				add(fields, k, value(a.Forms[id][k]))
			}
			add(forms, id, fields)
		}
		add(m, "forms", forms)
	}
	if a.Note != "" {
		add(m, "note", str(a.Note))
	}
}

// timeText writes a time as scenario files do, in Europe/London to the
// minute; a time that form cannot say exactly (seconds, or the hour the
// clocks go back) is written in RFC 3339.
func timeText(t time.Time) string {
	local := t.In(calendar.London()).Format("2006-01-02T15:04")
	if back, err := scenario.ParseTime(local); err == nil && back.Equal(t) {
		return local
	}
	return t.Format(time.RFC3339)
}

// expectations are what held after an act: the stage or outcome, each
// duty's due date and status, and what the actor's role may fire next. An
// outcome that owes nothing is named alone.
func expectations(ctx context.Context, p *engine.Policy, c engine.Head, at time.Time, a Act) (*yaml.Node, error) {
	exp := mapping()
	if c.Closed() {
		add(exp, "outcome", str(c.Outcome))
	} else {
		add(exp, "stage", str(c.Stage))
	}
	duties, err := p.Due(c, at)
	if err != nil {
		return nil, err
	}
	if c.Closed() && len(duties) == 0 {
		return exp, nil
	}
	due, status := flowMapping(), flowMapping()
	for _, d := range duties {
		switch {
		case d.Status == engine.StatusWaiting:
		case d.DueDate.IsZero() && d.Urgent:
			add(due, d.Obligation.ID, str("urgent"))
		case d.DueDate.IsZero():
			add(due, d.Obligation.ID, str("none"))
		default:
			add(due, d.Obligation.ID, plain(d.DueDate.String()))
		}
		add(status, d.Obligation.ID, str(string(d.Status)))
	}
	if len(due.Content) > 0 {
		add(exp, "due", due)
	}
	if len(status.Content) > 0 {
		add(exp, "status", status)
	}
	actions, err := p.Available(ctx, c, a.By, a.Role, at)
	if err != nil {
		return nil, err
	}
	events := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, act := range actions {
		if act.Allowed {
			events.Content = append(events.Content, str(act.Event))
		}
	}
	available := mapping()
	add(available, "role", str(a.Role))
	add(available, "events", events)
	add(exp, "available", available)
	return exp, nil
}

func mapping() *yaml.Node     { return &yaml.Node{Kind: yaml.MappingNode} }
func flowMapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle} }

func add(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }

// str is a string scalar, quoted when it would otherwise read as something
// else.
func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// plain is a scalar written as it is (a date).
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// value is a fact or field value as YAML.
func value(v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return str(fmt.Sprint(v))
	}
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	return &n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
