package trace_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/trace"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func policy(t testing.TB) *engine.Policy {
	t.Helper()
	p, diags := engine.Load("policy.yaml", read(t, "policy.yaml"))
	require.NoError(t, diags.Err())
	return p
}

func TestSentences(t *testing.T) {
	var got []string
	for _, s := range trace.Sentences(read(t, "procedure.txt")) {
		got = append(got, fmt.Sprintf("%d %s", s.Line, s.Text))
	}
	assert.Equal(t, []string{
		"1 Riverside Escalation Procedure",
		"3 Stage 1 - practitioners", // bold marks dropped
		"4 The practitioners must agree a plan within 2 working days.",
		"4 They should record it on the child's file.", // the next line starts in lower case: the same paragraph
		"6 Be kind to one another.",
		"8 Stage 2 - managers",
		"9 If no plan is agreed, the matter is escalated to the line managers.",
		// a bookmark dropped, and a line ending mid-sentence joined to the next
		"9 The managers meet within 5 working days, and a referral to the Panel follows if they cannot agree.",
		"10 Is that clear?",
		"11 Yes.",
	}, got)
}

func TestSentencesSplitOnlyWhereASentenceStarts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Use forms etc. as needed. Then stop.", "Use forms etc. as needed.|Then stop."},
		{"See section 6.7.1 for more.", "See section 6.7.1 for more."},
		{"It said 'stop.' Then it stopped.", "It said 'stop.'|Then it stopped."},
		{"Done! (See below.) Next.", "Done!|(See below.)|Next."},
		{"“Curly” quotes – and dashes.", `"Curly" quotes - and dashes.`},
		{"Repeat. Repeat.", "Repeat."},
		{"- a bullet\n• Another", "a bullet|Another"},
		{"\ufffd A footnote.", "A footnote."},
	} {
		var got []string
		for _, s := range trace.Sentences([]byte(tc.in)) {
			got = append(got, s.Text)
		}
		assert.Equal(t, tc.want, strings.Join(got, "|"), tc.in)
	}
}

func TestRuleBearing(t *testing.T) {
	for _, tc := range []struct{ in, cue string }{
		{"Agree a plan within 2 working days.", "within"},
		{"Contact within twenty-four hours.", "within"},
		{"This must occur immediately", "must"},
		{"Refer it without delay.", "Refer"},
		{"The line manager decides", "manager"},
		{"Complete the Escalation Form", "Form"},
		{"Whistle-blowing policy", "Whistle"},
		{"The Head of Service liaises", "Head of Service"},
		{"Escalation is a means of resolving differences", ""}, // the noun alone is not a rule
		{"Be kind to one another.", ""},
		{"The formalities are few.", ""}, // whole words only
	} {
		cue, ok := trace.RuleBearing(tc.in)
		assert.Equal(t, tc.cue, cue, tc.in)
		assert.Equal(t, tc.cue != "", ok, tc.in)
	}
}

func TestAMatrixThatAccountsForEverySentenceChecksClean(t *testing.T) {
	m, diags := trace.Parse("matrix.yaml", read(t, "matrix.yaml"))
	require.Empty(t, diags)
	assert.Empty(t, m.Check(policy(t), read(t, "procedure.txt")))
	assert.Equal(t, trace.Coverage{Sentences: 6, Encoded: 4, Assumed: 1, NotEncoded: 1}, m.Coverage())
	assert.Equal(t, "riverside", m.Policy)
	assert.Equal(t, "procedure.txt", m.Document)
}

// Each way a matrix goes out of date or wrong is an error at its place,
// saying what to do.
func TestCheckFindsEveryProblem(t *testing.T) {
	good := string(read(t, "matrix.yaml"))
	for _, tc := range []struct {
		name, from, to string
		text           func(string) string
		want           string // "file:line: message part"
	}{
		{name: "a rule-bearing sentence is not traced",
			from: "  - said: \"They should record it on the child's file.\"\n    encoded: [stages.stage1.records.1]\n", to: "",
			want: `procedure.txt:4: error: rule-bearing sentence ("should") not in the traceability matrix: "They should record it on the child's file."`},
		{name: "the sentence left the text",
			text: func(s string) string { return strings.Replace(s, "within 2 working days", "within 3 working days", 1) },
			want: "matrix.yaml:4:5: error: procedure.txt does not say this (any more)"},
		{name: "an element was renamed",
			from: "stages.stage1.records.1", to: "stages.stage1.records.2",
			want: "matrix.yaml:7:15: error: stages.stage1.records.2: there are 1 stages.stage1.records, counted from 1"},
		{name: "a stage that does not exist",
			from: "stages.stage1.records.1", to: "stages.stage3.records.1",
			want: `stages.stage3.records.1: no stages.stage3 in this policy: did you mean "stage1"?`},
		{name: "an assumption entry whose element states none",
			from: "assumption: [stages.stage1.obligations.agree_plan]", to: "assumption: [roles.practitioner]",
			want: "matrix.yaml:4:5: error: none of the elements named states an assumption"},
		{name: "a sentence traced twice",
			from: "  - said: \"Be kind to one another.\"\n    encoded: [notes.1]\n", to: "  - said: \"Be kind to one another.\"\n    encoded: [notes.1]\n  - said: \"Be kind to one another.\"\n    not_encoded: twice\n",
			want: "error: this sentence is traced twice"},
		{name: "another policy's matrix",
			from: "policy: riverside", to: "policy: lakeside",
			want: `matrix.yaml:1:1: error: the matrix is for policy "lakeside", not "riverside"`},
		{name: "a document the policy does not have",
			from: "document: procedure.txt", to: "document: other.txt",
			want: "other.txt is not one of policy riverside's documents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := good
			if tc.from != "" {
				require.Contains(t, src, tc.from)
				src = strings.Replace(src, tc.from, tc.to, 1)
			}
			text := string(read(t, "procedure.txt"))
			if tc.text != nil {
				text = tc.text(text)
			}
			m, diags := trace.Parse("matrix.yaml", []byte(src))
			require.Empty(t, diags)
			ds := m.Check(policy(t), []byte(text))
			require.NotEmpty(t, ds)
			var all []string
			for _, d := range ds {
				all = append(all, d.Error())
				assert.NotEmpty(t, d.Hint, "every problem says what to do")
			}
			assert.Contains(t, strings.Join(all, "\n"), tc.want)
		})
	}
}

func TestParseReportsEveryMistakeWithItsPlace(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"not YAML", "policy: [", "matrix.yaml:1:1: error: YAML syntax"},
		{"not a mapping", "- a\n- b\n", "a matrix is a mapping"},
		{"missing keys", "policy: x\n", "document is required"},
		{"unknown key", "policy: x\ndocument: d\nsentence: []\n", `unknown key "sentence"`},
		{"sentences not a list", "policy: x\ndocument: d\nsentences: {}\n", "sentences must be a list"},
		{"an entry with no kind", "policy: x\ndocument: d\nsentences:\n  - said: A.\n", "matrix.yaml:4:5: error: give one of encoded, assumption or not_encoded"},
		{"an entry with two kinds", "policy: x\ndocument: d\nsentences:\n  - said: A.\n    encoded: [roles.a]\n    not_encoded: why\n", "give only one of encoded, not_encoded"},
		{"an entry with no sentence", "policy: x\ndocument: d\nsentences:\n  - encoded: [roles.a]\n", "said is required"},
		{"an empty list", "policy: x\ndocument: d\nsentences:\n  - said: A.\n    encoded: []\n", "encoded names no element"},
		{"a misspelt key", "policy: x\ndocument: d\nsentences:\n  - said: A.\n    encode: [roles.a]\n", `did you mean "encoded"?`},
		{"a key twice", "policy: x\npolicy: y\ndocument: d\nsentences: []\n", "policy is given twice"},
		{"an entry that is not a mapping", "policy: x\ndocument: d\nsentences: [A.]\n", "an entry must be a mapping"},
		{"too large", "policy: " + strings.Repeat("x", trace.MaxSize), "the most is 1048576"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, diags := trace.Parse("matrix.yaml", []byte(tc.src))
			assert.Nil(t, m)
			require.NotEmpty(t, diags)
			var all []string
			for _, d := range diags {
				all = append(all, d.Error()+" ("+d.Hint+")")
			}
			assert.Contains(t, strings.Join(all, "\n"), tc.want)
		})
	}
}

func TestResolve(t *testing.T) {
	p := policy(t)
	for _, tc := range []struct {
		path  string
		count int
		err   string
	}{
		{"title", 1, ""},
		{"review_due", 1, ""},
		{"notes.1", 1, ""},
		{"roles.line_manager", 1, ""},
		{"stages.stage1", 1, ""},
		{"stages.stage1.obligations.agree_plan", 1, ""},
		{"stages.stage1.records.1", 1, ""},
		{"stages.stage1.transitions.escalate", 2, ""}, // two transitions share the event
		{"outcomes.decided", 1, ""},
		{"outcomes.decided.obligations.tell", 1, ""},
		{"outcomes.decided.transitions.told", 1, ""},
		{"outcomes.decided.obligations.ask", 0, `no outcomes.decided.obligations.ask in this policy`},
		{"outcomes.decided.steps", 0, `outcomes.decided has no part "steps"`},
		{"notes.0", 0, "there are 1 notes, counted from 1"},
		{"notes.one", 0, "there are 1 notes"},
		{"roles", 0, "roles needs an id"},
		{"roles.line_manger", 0, `did you mean "line_manager"?`},
		{"stages.stage1.obligations.agree_plan.expedite", 0, "has no expedite"},
		{"stages.stage1.transitions.resolve", 0, `no stages.stage1.transitions.resolve in this policy`},
		{"stages.stage1.transitions", 0, "needs one event name"},
		{"stages.stage1.plans", 0, `has no part "plans"`},
		{"title.words", 0, "title has no parts"},
		{"roles.practitioner.title", 0, `roles.practitioner has no part "title"`},
		{"forms.log", 0, "no forms.log in this policy"},
		{"stage.stage1", 0, `did you mean "stages"?`},
		{"any_stage.withdraw", 0, "no any_stage.withdraw in this policy"},
	} {
		metas, err := trace.Resolve(p, tc.path)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.path)
			continue
		}
		require.NoError(t, err, tc.path)
		assert.Len(t, metas, tc.count, tc.path)
	}
}

// A matrix reads as its file says, and its coverage adds up.
func ExampleMatrix_Coverage() {
	src := []byte(`policy: riverside
document: procedure.txt
sentences:
  - said: "The practitioners must agree a plan within 2 working days."
    assumption: [stages.stage1.obligations.agree_plan]
  - said: "Be kind to one another."
    not_encoded: A principle.
`)
	m, _ := trace.Parse("matrix.yaml", src)
	c := m.Coverage()
	fmt.Printf("%d sentences: %d encoded, %d by assumption, %d not encoded\n", c.Sentences, c.Encoded, c.Assumed, c.NotEncoded)
	// Output: 2 sentences: 0 encoded, 1 by assumption, 1 not encoded
}

func FuzzParse(f *testing.F) {
	f.Add(read(f, "matrix.yaml"))
	f.Add([]byte("policy: x\ndocument: d\nsentences:\n  - said: A.\n    encoded: a\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, diags := trace.Parse("fuzz.yaml", src)
		if (m == nil) == (len(diags) == 0) {
			t.Fatalf("a matrix and no problems, or problems and no matrix: %v, %v", m, diags)
		}
		if m != nil {
			c := m.Coverage()
			if c.Encoded+c.Assumed+c.NotEncoded != c.Sentences {
				t.Fatalf("coverage does not add up: %+v", c)
			}
		}
	})
}

func FuzzSentences(f *testing.F) {
	f.Add(read(f, "procedure.txt"))
	f.Fuzz(func(t *testing.T, text []byte) {
		seen := map[string]bool{}
		for _, s := range trace.Sentences(text) {
			if s.Text == "" || s.Text != strings.TrimSpace(s.Text) || seen[s.Text] {
				t.Fatalf("sentence %q empty, untrimmed or repeated", s.Text)
			}
			seen[s.Text] = true
		}
	})
}

// Without the document's text only the elements are checked.
func TestCheckWithoutTheText(t *testing.T) {
	src := strings.Replace(string(read(t, "matrix.yaml")), "stages.stage1.records.1", "stages.stage1.records.9", 1)
	m, diags := trace.Parse("matrix.yaml", []byte(src))
	require.Empty(t, diags)
	ds := m.Check(policy(t), nil)
	require.Len(t, ds, 1)
	assert.Contains(t, ds[0].Error(), "stages.stage1.records.9")
}
