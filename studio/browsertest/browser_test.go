package browsertest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/safeguarding-partnerships/escalation/engine/scenario"
)

var update = flag.Bool("update", false, "rewrite the README's screenshots of the studio (docs/studio/*.png)")

// root is the repository's top folder.
const root = "../.."

// chromium is the browser CI installs from Debian (.ci/packages); CHROMIUM
// names another.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the studio's browser tests need Chromium at %s: install it (apt-get install chromium; .ci/run installs it from .ci/packages) or set CHROMIUM to its path: %v", path, err)
	}
	return path
}

// newarea copies examples/newarea into a temporary folder, so that tests
// can edit and save in it.
func newarea(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "newarea")
	src := filepath.Join(root, "examples", "newarea")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// escalation is the command, built once for every test (see TestMain):
// the tests drive the studio as a person runs it, and not under the race
// detector that instruments the tests themselves, so the times they measure
// are the command's.
var escalation string

func TestMain(m *testing.M) {
	flag.Parse()
	tmp, err := os.MkdirTemp("", "studio-browsertest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	escalation = filepath.Join(tmp, "escalation")
	// A cold build cache takes minutes on two cores; this bounds it.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	build := exec.CommandContext(ctx, "go", "build", "-o", escalation, "./cmd/escalation")
	build.Dir = root
	out, err := build.CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the escalation command: %v\n%s", err, out)
		os.RemoveAll(tmp)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// studioRun is a running escalation studio.
type studioRun struct {
	url string // the address it printed, with its key
}

// studioURL is the line escalation studio prints its address on.
var studioURL = regexp.MustCompile(`(?m)^  (http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{64})$`)

// serve runs escalation studio on dir (from the folder wd, when given) for
// the test's length, and stops it as Ctrl+C does.
func serve(t *testing.T, dir string, wd ...string) *studioRun {
	t.Helper()
	cmd := exec.Command(escalation, "studio", dir)
	if len(wd) > 0 {
		cmd.Dir = wd[0]
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{}) // closed once the command has stopped, waitErr set
	printed := make(chan string, 1)
	go func() {
		var out strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			out.Write(buf[:n])
			if m := studioURL.FindStringSubmatch(out.String()); m != nil {
				printed <- m[1]
				_, _ = io.Copy(io.Discard, stdout)
				break
			}
			if err != nil {
				break
			}
		}
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
			if waitErr != nil {
				t.Errorf("escalation studio did not stop cleanly: %v\n%s", waitErr, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("escalation studio did not stop within 10 s of Ctrl+C")
		}
	})
	select {
	case u := <-printed:
		return &studioRun{url: u}
	case <-exited:
		t.Fatalf("escalation studio stopped: %v\n%s", waitErr, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("escalation studio printed no address within 30 s\n%s", stderr.String())
	}
	return nil
}

// tab is a browser tab, with every console error and uncaught exception
// it reports.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// browser opens headless Chromium with a fresh profile, for at most limit.
// The flags keep it off the network: it makes no connection of its own.
func browser(t *testing.T, limit time.Duration) *tab {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	ctx, cancelTime := context.WithTimeout(context.Background(), limit)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	tb := &tab{ctx: bctx}
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				tb.mu.Lock()
				tb.errors = append(tb.errors, m.String()+" "+m.URL)
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTime()
	})
	return tb
}

func (tb *tab) consoleErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.errors)
}

func (tb *tab) run(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatalf("%s: %v (console: %v)", what, err, tb.consoleErrors())
	}
}

// text is the text of the first element a CSS selector finds.
func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

type css = chromedp.CSS

// js runs a JavaScript statement in the page.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("("+expr+", true)")(ctx, tg)
		return err
	})
}

// until waits for a JavaScript condition to hold.
func until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool]("!!("+cond+")", chromedp.WithPollingInterval(5*time.Millisecond))(ctx, tg)
		return err
	})
}

// open loads the studio's page at a view and waits until it has drawn the
// folder's first state.
func (tb *tab) open(t *testing.T, s *studioRun, view string) {
	t.Helper()
	tb.run(t, "opening "+view, chromedp.Navigate(s.url+"#"+view), chromedp.WaitVisible(css(`body[data-version]`)))
}

// version is the state version the page shows.
func (tb *tab) version(t *testing.T) string {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.dataset.version || ""`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPageLoadsAndDrawsThePictureAsSVG(t *testing.T) {
	s := serve(t, newarea(t))
	tb := browser(t, 60*time.Second)
	tb.open(t, s, "picture")
	tb.run(t, "drawing the diagram",
		chromedp.WaitVisible(css(`#diagram svg g.node[data-node="stage_stage3"]`)),
		chromedp.Click(css(`#diagram svg g.node[data-node="stage_stage3"]`)),
		chromedp.WaitVisible(css(`#node h2`)),
	)
	nodes, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#diagram svg g.node").length`))
	if err != nil {
		t.Fatal(err)
	}
	// Riverbend: a start node, four stages, five outcomes, "Any stage".
	if nodes != 11 {
		t.Errorf("the diagram has %d nodes, want 11", nodes)
	}
	detail := tb.text(t, "#node")
	for _, want := range []string{"Head of Service", "heads_meet", "5 working days", "immediately when immediate_risk",
		"Complete Part B of the Escalation Form", "escalation_form", "within 5 working days of the matter reaching Stage 3", "procedure.txt"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the stage's details lack %q:\n%s", want, detail)
		}
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// Every view loads without a console error.
func TestEveryViewLoadsWithoutConsoleErrors(t *testing.T) {
	s := serve(t, newarea(t))
	tb := browser(t, 60*time.Second)
	tb.open(t, s, "problems")
	for _, view := range []struct{ hash, ready string }{
		{"problems", `#problems li.warning`},
		{"picture", `#diagram svg`},
		{"timeline", `#timeline .stage`},
		{"play", `#raise-form`},
		{"scenarios", `#scenarios li.ok`},
		{"document", `#document[data-drawn] figure svg`},
	} {
		tb.run(t, view.hash, js(`location.hash = "`+view.hash+`"`), chromedp.WaitVisible(css(view.ready)))
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// edit changes the policy file as an editor saves it.
func edit(t *testing.T, dir string, from, to string) {
	t.Helper()
	path := filepath.Join(dir, "policy.yaml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), from) {
		t.Fatalf("policy.yaml has no %q", from)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), from, to, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestASyntaxErrorAppearsInProblemsWithinTwoSeconds(t *testing.T) {
	dir := newarea(t)
	s := serve(t, dir)
	tb := browser(t, 60*time.Second)
	tb.open(t, s, "problems")
	tb.run(t, "waiting for the warnings", chromedp.WaitVisible(css(`#problems li.warning`)))
	saved := time.Now()
	edit(t, dir, "start: stage1\n", "start: [stage1\n")
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#problems li.error[data-file="policy.yaml"]`)))
	took := time.Since(saved)
	if err != nil {
		t.Fatalf("no error in Problems %v after saving: %v", took, err)
	}
	t.Logf("the syntax error showed in Problems %v after the file was saved", took.Round(time.Millisecond))
	// A YAML syntax error is placed at the bracket left open, to the column.
	if text := tb.text(t, "#problems li.error"); !strings.Contains(text, "policy.yaml:113:8") || !strings.Contains(text, "113 | start: [stage1") {
		t.Errorf("the problem lacks its place or its line:\n%s", text)
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// timelineFrom shows the timeline for a case raised on a date.
func timelineFrom(date string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		js(`location.hash = "timeline"`),
		chromedp.WaitVisible(css(`#tl-date`)),
		chromedp.SetValue(css(`#tl-date`), date),
		js(`document.getElementById("tl-date").dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.WaitVisible(css(`#timeline[data-raised="`+date+`T09:00"] .stage`)),
	)
}

func TestTimelineOverChristmasShowsTheBankHolidays(t *testing.T) {
	s := serve(t, newarea(t))
	tb := browser(t, 60*time.Second)
	tb.open(t, s, "timeline")
	tb.run(t, "scheduling from 22 Dec 2026",
		timelineFrom("2026-12-22"),
		until(`document.getElementById("timeline").textContent.includes("Raised Tue 22 Dec 2026")`),
		chromedp.Click(css(`#timeline .stage[data-stage="stage2"] summary`), chromedp.NodeVisible),
	)
	holidays := tb.text(t, "#holidays")
	for _, want := range []string{"Fri 25 Dec 2026: Christmas Day", "Mon 28 Dec 2026: Boxing Day (substitute day)", "Fri 1 Jan 2027: New Year's Day"} {
		if !strings.Contains(holidays, want) {
			t.Errorf("the bank holidays lack %q:\n%s", want, holidays)
		}
	}
	// Stage 2 starts on Thu 24 Dec; its 3 working days skip Christmas,
	// the weekend and the Boxing Day substitute day.
	days := tb.text(t, `#timeline .stage[data-stage="stage2"] .days`)
	for _, want := range []string{"Fri 25 Dec 2026\tChristmas Day", "Mon 28 Dec 2026\tBoxing Day (substitute day)", "Thu 31 Dec 2026\tday 3"} {
		if !strings.Contains(days, want) {
			t.Errorf("stage 2's day-by-day count lacks %q:\n%q", want, days)
		}
	}
	tb.run(t, "setting immediate risk",
		chromedp.Click(css(`#tl-immediate_risk`)),
		until(`document.querySelector("#timeline .stage .expedited") !== null`),
	)
	if due := tb.text(t, "#timeline .stage"); !strings.Contains(due, "by the end of Tue 22 Dec 2026") {
		t.Errorf("with immediate risk, the discussion is not due the same day:\n%s", due)
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// fireAs sets who acts and when, then fires an event.
func fireAs(role, by, at, event string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(css(`#act-role`), role),
		chromedp.SetValue(css(`#act-by`), by),
		chromedp.SetValue(css(`#act-at`), at),
		js(`document.getElementById("act-form").dispatchEvent(new Event("change"))`),
		// The list is drawn again for the new role and time; click in the new one.
		chromedp.WaitVisible(css(`#available[data-role="`+role+`"][data-at="`+at+`"] button.fire[data-event="`+event+`"]`)),
		chromedp.Click(css(`#available[data-role="`+role+`"][data-at="`+at+`"] button.fire[data-event="`+event+`"]`), chromedp.NodeVisible),
	)
}

// playTwoEvents raises a case on 22 Dec 2026 and fires two events: the
// practitioners talk, and the line manager takes it to Stage 2.
func playTwoEvents() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		js(`location.hash = "play"`),
		chromedp.WaitReady(css(`#pl-role option[value="practitioner"]`)),
		chromedp.SetValue(css(`#pl-at`), "2026-12-22T10:00"),
		chromedp.SetValue(css(`#pl-by`), "asha"),
		chromedp.SetValue(css(`#pl-role`), "practitioner"),
		chromedp.Click(css(`#pl-raise`)),
		chromedp.WaitVisible(css(`#pl-where[data-stage="stage1"]`)),
		fireAs("practitioner", "asha", "2026-12-23T11:00", "discussed"),
		chromedp.WaitVisible(css(`#record li:nth-child(2)`)),
		fireAs("line_manager", "lee", "2026-12-24T15:00", "escalate"),
		chromedp.WaitVisible(css(`#pl-where[data-stage="stage2"]`)),
	)
}

func TestPlayedCaseSavedAsAScenarioPasses(t *testing.T) {
	dir := newarea(t)
	s := serve(t, dir)
	tb := browser(t, time.Minute)
	tb.open(t, s, "play")
	tb.run(t, "playing a case", playTwoEvents())
	if due := tb.text(t, "#due"); !strings.Contains(due, "by the end of Thu 31 Dec 2026") {
		t.Errorf("Stage 2's duty is not due on 31 Dec:\n%s", due)
	}
	if record := tb.text(t, "#record"); !strings.Contains(record, "escalate by lee (line_manager)") {
		t.Errorf("the record lacks the escalation:\n%s", record)
	}
	tb.run(t, "saving",
		chromedp.SetValue(css(`#sv-title`), "Escalated to Stage 2 over Christmas"),
		chromedp.SetValue(css(`#sv-name`), "played-christmas"),
		chromedp.Click(css(`#sv-save`)),
		until(`document.getElementById("sv-result").textContent.startsWith("Saved")`),
	)
	if result := tb.text(t, "#sv-result"); !strings.Contains(result, "it passes") {
		t.Errorf("the studio says: %s", result)
	}
	saved := filepath.Join(dir, "scenarios", "played-christmas.yaml")
	src, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saved:\n%s", src)

	// The library's runner, as escalation test runs a file.
	f, diags := scenario.Parse(saved, src)
	if f == nil {
		t.Fatalf("the saved scenario does not parse: %v", diags)
	}
	res := scenario.Run(context.Background(), f)
	if !res.OK() || res.Passed < 10 {
		t.Errorf("the saved scenario: %d passed, %d failed, %v: %v", res.Passed, res.Failed, res.Err, res.Failures)
	}

	// Saving again under the same name asks first; saying no keeps the file.
	tb.run(t, "saving again",
		js(`window.confirm = (q) => { window.asked = q; return false; }`),
		chromedp.Click(css(`#sv-save`)),
		until(`document.getElementById("sv-result").textContent.startsWith("Not saved")`),
	)
	asked, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`window.asked || ""`))
	if err != nil || !strings.Contains(asked, "scenarios/played-christmas.yaml already exists") {
		t.Errorf("the page did not ask before replacing the file: %q %v", asked, err)
	}
	if again, _ := os.ReadFile(saved); string(again) != string(src) {
		t.Errorf("the file changed without confirmation")
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}

	// And the command itself. go run builds it first, which on a cold build
	// cache takes minutes: it is bounded on its own, after the browser is
	// done.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./cmd/escalation", "test", saved)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Errorf("escalation test %s: %v\n%s", saved, err, out)
	}
}

// An event can carry a change of facts: the concern turns out to be about a
// professional's conduct, and the complaints route opens (the engine reads
// the guard with the event's own facts). Saved, the story passes.
func TestAnEventCarriesAChangeOfFacts(t *testing.T) {
	dir := newarea(t)
	s := serve(t, dir)
	tb := browser(t, time.Minute)
	tb.open(t, s, "play")
	tb.run(t, "playing the complaints route",
		chromedp.WaitReady(css(`#pl-role option[value="practitioner"]`)),
		chromedp.SetValue(css(`#pl-at`), "2026-11-24T11:00"),
		chromedp.SetValue(css(`#pl-by`), "asha"),
		chromedp.SetValue(css(`#pl-role`), "practitioner"),
		chromedp.Click(css(`#pl-raise`)),
		chromedp.WaitVisible(css(`#pl-where[data-stage="stage1"]`)),
		chromedp.SetValue(css(`#act-role`), "practitioner"),
		chromedp.SetValue(css(`#act-by`), "asha"),
		chromedp.SetValue(css(`#act-at`), "2026-11-25T10:30"),
		js(`document.getElementById("act-form").dispatchEvent(new Event("change"))`),
		chromedp.WaitVisible(css(`#available[data-role="practitioner"][data-at="2026-11-25T10:30"] button.try[data-event="refer_to_complaints"]`)),
		chromedp.SetValue(css(`#act-concern_type`), "professional_conduct"),
		chromedp.Click(css(`#available[data-role="practitioner"][data-at="2026-11-25T10:30"] button.try[data-event="refer_to_complaints"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(css(`#pl-where[data-outcome="complaint"]`)),
		chromedp.SetValue(css(`#sv-title`), "A concern about conduct goes to the complaints procedure"),
		chromedp.SetValue(css(`#sv-name`), "conduct"),
		chromedp.Click(css(`#sv-save`)),
		until(`document.getElementById("sv-result").textContent.startsWith("Saved")`),
	)
	if result := tb.text(t, "#sv-result"); !strings.Contains(result, "it passes") {
		t.Errorf("the studio says: %s", result)
	}
	src, err := os.ReadFile(filepath.Join(dir, "scenarios", "conduct.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "    facts: {concern_type: professional_conduct}\n") || !strings.Contains(string(src), "      outcome: complaint\n") {
		t.Errorf("the saved story lacks the event's facts or its outcome:\n%s", src)
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// A change of timescale redraws the diagram, the timeline and the failing
// scenario without another command; this measures how long the page takes,
// from the write to the updated view, over several saves for each view.
func TestSavedChangeUpdatesEveryViewAndHowLongItTakes(t *testing.T) {
	dir := newarea(t)
	s := serve(t, dir)
	tb := browser(t, 3*time.Minute)
	tb.open(t, s, "picture")
	tb.run(t, "drawing", chromedp.WaitVisible(css(`#diagram svg`)))
	days := 3
	for _, view := range []struct {
		name, setup, updated string // updated: the view shows N working days (%[2]d) after version %[1]q
	}{
		{"problems", `location.hash = "problems"`, `document.body.dataset.version !== %q`},
		{"timeline", `location.hash = "timeline"`, `document.body.dataset.version !== %q && document.getElementById("timeline").textContent.includes("%d working days")`},
		{"picture", `location.hash = "picture"`, `document.body.dataset.version !== %q && document.getElementById("diagram").dataset.drawn.includes("%d working days: Discuss the concern")`},
	} {
		tb.run(t, view.name, js(view.setup), until(`document.body.dataset.version !== ""`), chromedp.Sleep(500*time.Millisecond))
		if view.name == "timeline" {
			tb.run(t, "the timeline", timelineFrom("2026-12-22"))
		}
		var took []time.Duration
		for range 6 {
			next := days%9 + 3 // 3 to 11 working days, never the same twice running
			before := tb.version(t)
			cond := fmt.Sprintf(view.updated, before, next)
			if view.name == "problems" {
				cond = fmt.Sprintf(view.updated, before)
			}
			saved := time.Now()
			edit(t, dir, fmt.Sprintf("owner: line_manager\n        within: %d working days", days), fmt.Sprintf("owner: line_manager\n        within: %d working days", next))
			days = next
			tb.run(t, "waiting for "+view.name, until(cond))
			took = append(took, time.Since(saved))
		}
		slices.Sort(took)
		t.Logf("%s: from saving the file to the updated view, over %d saves: fastest %v, median %v, slowest %v", view.name,
			len(took), took[0].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
		// Drawing the picture is Mermaid laying the chart out, which on a
		// loaded two-core machine takes seconds; this bounds it, and the log
		// says how long.
		if took[len(took)-1] > 30*time.Second {
			t.Errorf("%s: the slowest update took %v", view.name, took[len(took)-1])
		}
	}
	edit(t, dir, fmt.Sprintf("owner: line_manager\n        within: %d working days", days), "owner: line_manager\n        within: 3 working days")

	// 4 working days at Stage 2: the scenario that expects 3 now fails, on
	// its line, and the timeline says 4.
	edit(t, dir, "owner: line_manager\n        within: 3 working days", "owner: line_manager\n        within: 4 working days")
	tb.run(t, "the failing scenario",
		js(`location.hash = "scenarios"`),
		chromedp.WaitVisible(css(`#scenarios li.fail[data-file="scenarios/full-ladder-christmas.yaml"] .failure`)),
	)
	if failure := tb.text(t, "#scenarios li.fail .failure"); !strings.Contains(failure, "expected agree_way_forward due 2026-12-31, got agree_way_forward due 2027-01-04") {
		t.Errorf("the failure is not the due date on its line:\n%s", failure)
	}
	tb.run(t, "the timeline", timelineFrom("2026-12-22"), until(`document.getElementById("timeline").textContent.includes("4 working days")`))
	if timeline := tb.text(t, "#timeline"); !strings.Contains(timeline, "by the end of Mon 4 Jan 2027") {
		t.Errorf("the timeline does not show the new due date:\n%s", timeline)
	}
}

// TestScreenshots takes a picture of each view for the README; with -update
// it writes them to docs/studio/ (go test ./studio/browsertest -run
// TestScreenshots -update, from the repository's top folder: cd there
// first).
func TestScreenshots(t *testing.T) {
	top, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := newarea(t)
	// The scenarios view shows a failure: a story that expects the wrong day.
	story := filepath.Join(dir, "scenarios", "resolved-at-stage1.yaml")
	src, err := os.ReadFile(story)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(story, []byte(strings.Replace(string(src), "due: {discuss: 2026-11-12}", "due: {discuss: 2026-11-13}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := serve(t, "newarea", filepath.Dir(dir)) // the page names the folder as the author did
	tb := browser(t, 2*time.Minute)
	tb.open(t, s, "picture")
	for _, shot := range []struct {
		name  string
		setup chromedp.Action[chromedp.Void]
	}{
		{"picture", chromedp.Steps(
			chromedp.WaitVisible(css(`#diagram svg g.node[data-node="stage_stage4"]`)),
			chromedp.Click(css(`#diagram svg g.node[data-node="stage_stage4"]`)),
			chromedp.WaitVisible(css(`#node h2`)),
		)},
		{"timeline", chromedp.Steps(
			timelineFrom("2026-12-22"),
			chromedp.Click(css(`#timeline .stage[data-stage="stage2"] summary`), chromedp.NodeVisible),
		)},
		{"play", playTwoEvents()},
		{"scenarios", chromedp.Steps(js(`location.hash = "scenarios"`), chromedp.WaitVisible(css(`#scenarios li.fail .failure`)))},
		{"document", chromedp.Steps(js(`location.hash = "document"`), chromedp.WaitVisible(css(`#document[data-drawn] figure svg`)))},
		{"problems", chromedp.Steps(
			js(`location.hash = "problems"`),
			chromedp.Func(func(context.Context, *chromedp.Target) error {
				edit(t, dir, "when: immediate_risk\n    note: A child", "when: imediate_risk\n    note: A child")
				return nil
			}),
			chromedp.WaitVisible(css(`#problems li.error`)),
			chromedp.Click(css(`#problems li.error`)),
		)},
	} {
		tb.run(t, shot.name, shot.setup, js(`window.scrollTo(0, 0)`), chromedp.Sleep(300*time.Millisecond))
		shoot := chromedp.FullScreenshot(100)
		if shot.name == "document" {
			shoot = chromedp.CaptureScreenshot() // its top: the whole document is many pages
		}
		png, err := chromedp.Run(tb.ctx, shoot)
		if err != nil {
			t.Fatalf("%s: %v", shot.name, err)
		}
		if len(png) < 10_000 || string(png[1:4]) != "PNG" {
			t.Fatalf("%s: the screenshot is not a picture (%d bytes)", shot.name, len(png))
		}
		if *update {
			out := filepath.Join(top, "docs", "studio", shot.name+".png")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if errs := tb.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// The harness itself: a console error and an uncaught exception on the page
// reach consoleErrors, so the tests above that find none mean it.
func TestTheHarnessSeesConsoleErrors(t *testing.T) {
	s := serve(t, newarea(t))
	tb := browser(t, 30*time.Second)
	tb.open(t, s, "problems")
	tb.run(t, "erring", js(`console.error("seen")`), js(`setTimeout(() => { throw new Error("thrown") }, 0)`), chromedp.Sleep(500*time.Millisecond))
	errs := strings.Join(tb.consoleErrors(), "\n")
	if !strings.Contains(errs, "seen") || !strings.Contains(errs, "thrown") {
		t.Errorf("the harness missed console errors: %q", errs)
	}
}
