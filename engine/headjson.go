package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

// A head is read far more often than it is written (a host reads it for
// every event, every due list, every sweep), so its JSON form is written and
// read by hand here rather than through reflection:
//
//	{"schema":3,"id":"c-42","policy":{"id":"sefton","version":"2024-05-02"},
//	 "revision":4,"raised":"…","stage":"step2","entered":"…",
//	 "facts":{…},"forms":{"form":{…}},"milestones":{"m":"…"},
//	 "obligations":[{"id":"…","anchor":"…","due":"…","within":"2 working days"}],
//	 "last":"…","hash":"…"}
//
// Times are written in UTC, RFC 3339 (reading back needs no time zone);
// stage, outcome, forms, milestones and obligations are left out when
// empty; maps are written in key order. Reading accepts the members in any
// order and with any spacing (a database may reorder them), ignores members
// it does not know, and reads a whole number as an int64, the canonical form
// of an int fact.

// MarshalJSON writes the head as a host stores it.
func (h Head) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 512)
	b = strconv.AppendInt(append(b, `{"schema":`...), int64(h.Schema), 10)
	b = appendJSONString(append(b, `,"id":`...), h.ID)
	b = appendJSONString(append(b, `,"policy":{"id":`...), h.Policy.ID)
	b = appendJSONString(append(b, `,"version":`...), h.Policy.Version)
	b = strconv.AppendInt(append(b, `},"revision":`...), h.Revision, 10)
	b = appendJSONTime(append(b, `,"raised":`...), h.Raised)
	if h.Stage != "" {
		b = appendJSONString(append(b, `,"stage":`...), h.Stage)
	}
	if h.Outcome != "" {
		b = appendJSONString(append(b, `,"outcome":`...), h.Outcome)
	}
	b = appendJSONTime(append(b, `,"entered":`...), h.Entered)
	var err error
	if b, err = appendJSONObject(append(b, `,"facts":`...), h.Facts); err != nil {
		return nil, fmt.Errorf("case %s: facts: %w", h.ID, err)
	}
	if len(h.Forms) > 0 {
		b = append(b, `,"forms":{`...)
		var room [8]keyed[map[string]any]
		for i, kv := range sorted(h.Forms, room[:0]) {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSONObject(append(appendJSONString(b, kv.k), ':'), kv.v); err != nil {
				return nil, fmt.Errorf("case %s: forms.%s: %w", h.ID, kv.k, err)
			}
		}
		b = append(b, '}')
	}
	if len(h.Milestones) > 0 {
		b = append(b, `,"milestones":{`...)
		var room [8]keyed[time.Time]
		for i, kv := range sorted(h.Milestones, room[:0]) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONTime(append(appendJSONString(b, kv.k), ':'), kv.v)
		}
		b = append(b, '}')
	}
	if len(h.Obligations) > 0 {
		b = append(b, `,"obligations":[`...)
		for i := range h.Obligations {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONObligation(b, &h.Obligations[i])
		}
		b = append(b, ']')
	}
	b = appendJSONTime(append(b, `,"last":`...), h.Last)
	b = append(append(b, `,"hash":"`...), h.Hash.String()...)
	return append(b, `"}`...), nil
}

func appendJSONObligation(b []byte, o *ObligationState) []byte {
	b = appendJSONString(append(b, `{"id":`...), o.ID)
	for _, t := range [...]struct {
		key string
		at  time.Time
	}{{`,"anchor":`, o.Anchor}, {`,"due":`, o.Due}} {
		if !t.at.IsZero() {
			b = appendJSONTime(append(b, t.key...), t.at)
		}
	}
	if !o.Within.IsZero() {
		b = appendJSONString(append(b, `,"within":`...), o.Within.String())
	}
	if o.Within.Immediate {
		b = append(b, `,"immediate":true`...)
	}
	if o.Expedited {
		b = append(b, `,"expedited":true`...)
	}
	if o.ByDate {
		b = append(b, `,"by_date":true`...)
	}
	if !o.Met.IsZero() {
		b = appendJSONTime(append(b, `,"met":`...), o.Met)
	}
	return append(b, '}')
}

func appendJSONTime(b []byte, t time.Time) []byte {
	return append(t.UTC().AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

// appendJSONString quotes s as JSON does, without escaping HTML: invalid
// UTF-8 becomes U+FFFD, and U+2028 and U+2029 are escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

// appendJSONValue writes a fact or field value: the canonical forms (bool,
// int64, string, []string) and what JSON reads back, with anything else
// left to encoding/json.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendJSONString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("a number JSON cannot hold")
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSONValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		return appendJSONObject(b, x)
	}
	out, err := json.Marshal(v)
	return append(b, out...), err
}

func appendJSONObject(b []byte, m map[string]any) ([]byte, error) {
	b = append(b, '{')
	var room [8]keyed[any]
	for i, kv := range sorted(m, room[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendJSONValue(append(appendJSONString(b, kv.k), ':'), kv.v); err != nil {
			return nil, fmt.Errorf("%s: %w", kv.k, err)
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads a head that MarshalJSON wrote (or encoding/json, or a
// database that reordered it). A case of schema 2, which held its record
// inside, is refused with ErrCaseSchema rather than read without it:
// MigrateCase reads those.
func (h *Head) UnmarshalJSON(data []byte) error {
	r := jsonReader{b: data}
	var (
		out     Head
		history bool
	)
	r.open('{')
	for first := true; r.member(&first); {
		switch string(r.key) {
		case "schema":
			out.Schema = int(r.integer("schema"))
		case "id":
			out.ID = r.str()
		case "policy":
			r.open('{')
			for first := true; r.member(&first); {
				switch string(r.key) {
				case "id":
					out.Policy.ID = r.ident()
				case "version":
					out.Policy.Version = r.ident()
				default:
					r.value(0)
				}
			}
		case "revision":
			out.Revision = r.integer("revision")
		case "raised":
			out.Raised = r.time("raised")
		case "stage":
			out.Stage = r.ident()
		case "outcome":
			out.Outcome = r.ident()
		case "entered":
			out.Entered = r.time("entered")
		case "facts":
			out.Facts = r.object()
		case "forms":
			out.Forms = r.forms()
		case "milestones":
			out.Milestones = r.milestones()
		case "obligations":
			out.Obligations = r.obligations()
		case "last":
			out.Last = r.time("last")
		case "hash":
			if err := out.Hash.UnmarshalText(r.strBytes()); err != nil {
				r.fail("hash: %v", err)
			}
		case "history":
			history = true
			r.value(0)
		default:
			r.value(0)
		}
	}
	r.ws()
	if r.err == nil && r.i < len(r.b) {
		r.fail("more after the head's closing brace")
	}
	if r.err != nil {
		return r.err
	}
	if history {
		return schemaError(out.ID, out.Schema)
	}
	*h = out
	return nil
}

// maxValueDepth bounds how deeply a stored value may nest: far beyond any
// fact or form field, and well within the stack.
const maxValueDepth = 64

// jsonReader reads one JSON text. The first error sticks: every later read
// returns a zero value, so callers check r.err once at the end.
type jsonReader struct {
	b    []byte
	text string // r.b as a string, once a value needs it (see str)
	i    int
	key  []byte // the member name member read last
	err  error
}

func (r *jsonReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("reading a case's head: at byte %d: %s", r.i, fmt.Sprintf(format, args...))
	}
	r.i = len(r.b)
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next byte that is not space, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// open reads c, which opens an object or an array.
func (r *jsonReader) open(c byte) {
	if r.peek() != c {
		r.fail("expected %q", c)
		return
	}
	r.i++
}

// null reads a null if one is next.
func (r *jsonReader) null() bool {
	if r.peek() == 'n' && r.literal("null") {
		return true
	}
	return false
}

func (r *jsonReader) literal(s string) bool {
	if len(r.b)-r.i >= len(s) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	r.fail("expected %s", s)
	return false
}

// member moves to an object's next member, setting r.key and leaving the
// reader at its value; it returns false at the object's end or on an error.
func (r *jsonReader) member(first *bool) bool {
	if r.err != nil {
		return false
	}
	c := r.peek()
	if c == '}' {
		r.i++
		return false
	}
	if !*first {
		if c != ',' {
			r.fail("expected ',' or '}'")
			return false
		}
		r.i++
		r.ws()
	}
	*first = false
	r.key = r.strBytes()
	if r.peek() != ':' {
		r.fail("expected ':' after a member's name")
		return false
	}
	r.i++
	return r.err == nil
}

// more moves to an array's next element; it returns false at the array's
// end or on an error.
func (r *jsonReader) more(first *bool) bool {
	if r.err != nil {
		return false
	}
	c := r.peek()
	if c == ']' {
		r.i++
		return false
	}
	if !*first {
		if c != ',' {
			r.fail("expected ',' or ']'")
			return false
		}
		r.i++
	}
	*first = false
	return true
}

// strBytes reads a string. Without escapes it returns the bytes in place
// (valid until the reader's input changes); otherwise a decoded copy.
func (r *jsonReader) strBytes() []byte {
	start, end, decoded := r.strSpan()
	if decoded != nil || r.err != nil {
		return decoded
	}
	return r.b[start:end]
}

// strSpan reads a string: its text is r.b[start:end], unless it has escapes
// or invalid UTF-8, when decoded holds it as encoding/json reads it.
func (r *jsonReader) strSpan() (start, end int, decoded []byte) {
	if r.peek() != '"' {
		r.fail("expected a string")
		return 0, 0, nil
	}
	start = r.i + 1
	plain := true
	for i := start; i < len(r.b); i++ {
		if ordinary[r.b[i]] {
			continue
		}
		switch c := r.b[i]; {
		case c == '"':
			r.i = i + 1
			if plain {
				return start, i, nil
			}
			var out string
			if err := json.Unmarshal(r.b[start-1:i+1], &out); err != nil {
				r.fail("a string: %v", err)
				return 0, 0, nil
			}
			return start, i, []byte(out)
		case c == '\\':
			plain = false
			i++ // whatever is escaped, it does not end the string
		case c < 0x20:
			r.i = i
			r.fail("a control character in a string")
			return 0, 0, nil
		case plain:
			if ru, size := utf8.DecodeRune(r.b[i:]); ru == utf8.RuneError && size == 1 {
				plain = false
			} else {
				i += size - 1
			}
		}
	}
	r.fail("a string without its closing quote")
	return 0, 0, nil
}

// ordinary marks the bytes a string holds as they are: not its end, an
// escape, a control character or the start of a multi-byte character.
var ordinary = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string value. The values of one head share one copy of its
// text, taken at the first: a head holds few, and one allocation is cheaper
// than one for each.
func (r *jsonReader) str() string {
	start, end, decoded := r.strSpan()
	switch {
	case r.err != nil:
		return ""
	case decoded != nil:
		return string(decoded)
	case start == end:
		return ""
	}
	if r.text == "" {
		r.text = string(r.b)
	}
	return r.text[start:end]
}

// number reads a number: an int64 when it is whole and fits, else a float64.
func (r *jsonReader) number() any {
	r.ws()
	start, i := r.i, r.i
	digits := func() int {
		n := 0
		for ; i < len(r.b) && r.b[i] >= '0' && r.b[i] <= '9'; i++ {
			n++
		}
		return n
	}
	if i < len(r.b) && r.b[i] == '-' {
		i++
	}
	intStart := i
	if n := digits(); n == 0 || n > 1 && r.b[intStart] == '0' {
		r.fail("a malformed number")
		return nil
	}
	whole := true
	if i < len(r.b) && r.b[i] == '.' {
		i++
		whole = false
		if digits() == 0 {
			r.fail("a malformed number")
			return nil
		}
	}
	if i < len(r.b) && (r.b[i] == 'e' || r.b[i] == 'E') {
		i++
		whole = false
		if i < len(r.b) && (r.b[i] == '+' || r.b[i] == '-') {
			i++
		}
		if digits() == 0 {
			r.fail("a malformed number")
			return nil
		}
	}
	r.i = i
	text := r.b[start:i]
	if whole {
		if n, ok := parseInt(text); ok {
			return n
		}
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		r.fail("a number out of range")
		return nil
	}
	return f
}

// parseInt reads a JSON integer that fits an int64.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n uint64
	for _, c := range b {
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

func (r *jsonReader) integer(what string) int64 {
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		r.fail("%s: must be a whole number", what)
		return 0
	}
	n, ok := r.number().(int64)
	if !ok {
		r.fail("%s: must be a whole number", what)
	}
	return n
}

func (r *jsonReader) boolean(what string) bool {
	switch r.peek() {
	case 't':
		return r.literal("true")
	case 'f':
		r.literal("false")
		return false
	}
	r.fail("%s: must be true or false", what)
	return false
}

func (r *jsonReader) time(what string) time.Time {
	var t time.Time
	if err := t.UnmarshalText(r.strBytes()); err != nil && r.err == nil {
		r.fail("%s: must be an RFC 3339 time: %v", what, err)
	}
	return t
}

// value reads any JSON value, as encoding/json does except that whole
// numbers are int64.
func (r *jsonReader) value(depth int) any {
	if depth > maxValueDepth {
		r.fail("values nested more than %d deep", maxValueDepth)
		return nil
	}
	switch r.peek() {
	case '{':
		m := map[string]any{}
		r.i++
		for first := true; r.member(&first); {
			k := string(r.key)
			m[k] = r.value(depth + 1)
		}
		return m
	case '[':
		l := []any{}
		r.i++
		for first := true; r.more(&first); {
			l = append(l, r.value(depth+1))
		}
		return l
	case '"':
		return r.str()
	case 't', 'f':
		return r.boolean("a value")
	case 'n':
		r.literal("null")
		return nil
	}
	return r.number()
}

// object reads an object of values; null and {} read as nil.
func (r *jsonReader) object() map[string]any {
	if r.null() {
		return nil
	}
	r.open('{')
	var m map[string]any
	for first := true; r.member(&first); {
		if m == nil {
			m = make(map[string]any, 8)
		}
		k := identOf(r.key)
		m[k] = r.value(1)
	}
	return m
}

func (r *jsonReader) forms() map[string]map[string]any {
	if r.null() {
		return nil
	}
	r.open('{')
	var m map[string]map[string]any
	for first := true; r.member(&first); {
		if m == nil {
			m = make(map[string]map[string]any, 2)
		}
		k := identOf(r.key)
		m[k] = r.object()
	}
	return m
}

func (r *jsonReader) milestones() map[string]time.Time {
	if r.null() {
		return nil
	}
	r.open('{')
	var m map[string]time.Time
	for first := true; r.member(&first); {
		if m == nil {
			m = make(map[string]time.Time, 2)
		}
		k := identOf(r.key)
		m[k] = r.time("milestones")
	}
	return m
}

func (r *jsonReader) obligations() []ObligationState {
	if r.null() {
		return nil
	}
	r.open('[')
	var os []ObligationState
	for first := true; r.more(&first); {
		var (
			o         ObligationState
			within    []byte
			immediate bool
		)
		r.open('{')
		for first := true; r.member(&first); {
			switch string(r.key) {
			case "id":
				o.ID = r.ident()
			case "anchor":
				o.Anchor = r.time("anchor")
			case "due":
				o.Due = r.time("due")
			case "within":
				within = r.strBytes()
			case "immediate":
				immediate = r.boolean("immediate")
			case "expedited":
				o.Expedited = r.boolean("expedited")
			case "by_date":
				o.ByDate = r.boolean("by_date")
			case "met":
				o.Met = r.time("met")
			default:
				r.value(0)
			}
		}
		if r.err != nil {
			return nil
		}
		var err error
		if o.Within, err = readWithin(o.ID, within, immediate); err != nil {
			r.fail("obligations[%d]: %v", len(os), err)
			return nil
		}
		os = append(os, o)
	}
	return os
}

// readWithin reads a stored obligation's timescale and checks it against
// its immediate flag, which repeats it for readers of the JSON.
func readWithin(id string, text []byte, immediate bool) (calendar.Within, error) {
	w, err := withinOf(text)
	if err != nil {
		return calendar.Within{}, fmt.Errorf("obligation %q: within: %w", id, err)
	}
	if w.Immediate != immediate {
		return calendar.Within{}, fmt.Errorf("obligation %q: immediate is %t but within is %q", id, immediate, text)
	}
	return w, nil
}

// cache maps the text of things every head repeats (the identifiers a
// policy declares, and timescales) to their value, so that reading a head
// does not allocate them afresh. It is read without a lock: the map is
// replaced, never changed. It stops growing at max entries, so hostile input
// cannot make it grow without bound; it never holds a fact's or a form
// field's value, which may be personal data.
type cache[V any] struct {
	m   atomic.Pointer[map[string]V]
	mu  sync.Mutex
	max int
}

func (c *cache[V]) get(key []byte) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[string(key)]
		return v, ok
	}
	var zero V
	return zero, false
}

func (c *cache[V]) add(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil && len(*old) >= c.max {
		return
	}
	m := make(map[string]V, 8)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	m[key] = v
	c.m.Store(&m)
}

var (
	idents  = &cache[string]{max: 1024}
	withins = &cache[calendar.Within]{max: 64}
)

// maxIdent is the longest text kept as an identifier: far longer than any
// id a policy declares.
const maxIdent = 64

// ident reads a string that is an identifier a policy declares (a fact, a
// form, a field, a milestone, an obligation, a stage, a policy).
func (r *jsonReader) ident() string {
	return identOf(r.strBytes())
}

func identOf(b []byte) string {
	if s, ok := idents.get(b); ok {
		return s
	}
	s := string(b)
	if len(s) <= maxIdent {
		idents.add(s, s)
	}
	return s
}

func withinOf(text []byte) (calendar.Within, error) {
	if w, ok := withins.get(text); ok {
		return w, nil
	}
	var w calendar.Within
	if err := w.UnmarshalText(text); err != nil {
		return calendar.Within{}, err
	}
	withins.add(string(text), w)
	return w, nil
}
