package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// inputError is a request body or value refused before it reaches the
// engine: Code names the rule for programs, Path says where.
type inputError struct {
	Code, Path, Message string
}

func (e *inputError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// strictJSON decodes exactly one JSON value into v, refusing what
// encoding/json would quietly accept: bytes that are not UTF-8 (it would put
// U+FFFD in their place), \u escapes of half a surrogate pair (the same), a
// key given twice in one object (the last would win), and fields v does not
// have. Numbers stay exact (json.Number).
func strictJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return &inputError{"invalid_utf8", "", "the body is not valid UTF-8"}
	}
	if err := checkEscapes(data); err != nil {
		return err
	}
	if err := checkDuplicateKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &inputError{"malformed_request", "", "the body is not the JSON this endpoint takes: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &inputError{"malformed_request", "", "the body has more than one JSON value"}
	}
	return nil
}

// checkEscapes refuses a \u escape of a lone surrogate. A backslash appears
// only inside strings in JSON, so every one starts an escape.
func checkEscapes(data []byte) error {
	surrogate := func(i int) (rune, bool) {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := surrogate(i)
		switch {
		case !ok:
			i++ // a two-character escape (\" \\ \n ...) or one json.Decode refuses
		case r >= 0xD800 && r < 0xDC00:
			if lo, ok := surrogate(i + 6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return &inputError{"invalid_utf8", "", "the body has a \\u escape of half a surrogate pair, which is not a character"}
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return &inputError{"invalid_utf8", "", "the body has a \\u escape of half a surrogate pair, which is not a character"}
		default:
			i += 5
		}
	}
	return nil
}

// checkDuplicateKeys walks the body's tokens and refuses an object that
// gives a key twice, naming its path. A syntax error is left for Decode to
// report.
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		path      string
		keys      map[string]bool // nil for an array
		expectKey bool            // an object whose next token is a key
		key       string          // an object's current key, as a path
		n         int             // an array's next index
	}
	var stack []*frame
	// valueDone marks the end of a value: an object then expects a key.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			stack[n-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		}
		var path string
		if n := len(stack); n > 0 {
			top := stack[n-1]
			switch {
			case top.keys != nil && top.expectKey:
				key, _ := tok.(string)
				if top.path != "" {
					key = top.path + "." + key
				}
				if top.keys[key] {
					return &inputError{"duplicate_key", key, "the key is given twice; give it once"}
				}
				top.keys[key], top.expectKey, top.key = true, false, key
				continue
			case top.keys != nil:
				path = top.key
			default:
				path = fmt.Sprintf("%s[%d]", top.path, top.n)
				top.n++
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{path: path, keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: path})
		default:
			valueDone()
		}
	}
}

// checkIdentifier refuses what an identifier (an actor, agency, role, event,
// policy, fact or form name) must not hold: NUL and other control
// characters, and format characters, among them the bidi overrides and
// isolates that make a name display as another, and zero-width ones.
func checkIdentifier(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			return fmt.Errorf("has a character that is not valid UTF-8 at byte %d", i)
		case unicode.IsControl(r):
			return fmt.Errorf("has a control character (%U) at byte %d", r, i)
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("has an invisible formatting character (%U, such as a bidi override) at byte %d", r, i)
		}
	}
	return nil
}

// checkText refuses what free text (a note, a form's answer) must not hold:
// NUL and control characters other than tab and line breaks, and the bidi
// overrides and isolates that reorder how the text displays.
func checkText(s string) error {
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r):
			return fmt.Errorf("has a control character (%U) at byte %d", r, i)
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return fmt.Errorf("has a bidi override or isolate (%U) at byte %d", r, i)
		}
	}
	return nil
}

// checkValues checks the identifiers and text of an act: the top-level
// identifiers named, every fact and form name as identifiers, and every
// string value as text, naming the first offender's path.
func checkValues(ids map[string]string, facts map[string]any, forms map[string]map[string]any, note string) error {
	for path, v := range ids {
		if err := checkIdentifier(v); err != nil {
			return badCharacters(path, err)
		}
	}
	if err := checkText(note); err != nil {
		return badCharacters("note", err)
	}
	if err := checkMap("facts", facts); err != nil {
		return err
	}
	for name, fields := range forms {
		if err := checkIdentifier(name); err != nil {
			return badCharacters("forms."+name, err)
		}
		if err := checkMap("forms."+name, fields); err != nil {
			return err
		}
	}
	return nil
}

func checkMap(path string, m map[string]any) error {
	for k, v := range m {
		p := path + "." + k
		if err := checkIdentifier(k); err != nil {
			return badCharacters(p, err)
		}
		if err := checkValue(p, v); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(path string, v any) error {
	switch v := v.(type) {
	case string:
		if err := checkText(v); err != nil {
			return badCharacters(path, err)
		}
	case []any:
		for i, e := range v {
			if err := checkValue(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	case map[string]any:
		return checkMap(path, v)
	}
	return nil
}

func badCharacters(path string, err error) error {
	// The message says which character and where, never the value itself,
	// which may be personal data.
	return &inputError{"bad_characters", path, strings.TrimSpace(err.Error())}
}

var errNotJSON = errors.New("the body must be JSON, sent with Content-Type: application/json")
