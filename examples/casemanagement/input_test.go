package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzStrictJSON feeds bodies to the decoder and the character checks every
// endpoint uses. Neither panics, and each refusal is an inputError with a
// code; what the decoder accepts is UTF-8 and decodes exactly as
// encoding/json decodes it (strictness only ever refuses, never changes a
// value).
func FuzzStrictJSON(f *testing.F) {
	for _, seed := range []string{
		`{"event": "discussed", "revision": 1, "note": "spoke to\tthe school"}`,
		`{"event": "x", "event": "y"}`,
		`{"forms": {"f": {"b": [{"x": 1}, {"x": 2, "x": 3}]}}}`,
		"{\"note\": \"caf\xe9\"}",
		`{"note": "\ud800"}`,
		`{"note": "\ud83d\ude00"}`,
		`{"facts": {"immediate\u0007risk": true}}`,
		`{"role": "practitioner\u202e"}`,
		`{"revision": 1e400}`,
		`{} {}`,
		`[`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict eventRequest
		err := strictJSON(data, &strict)
		var bad *inputError
		if err != nil {
			if !errors.As(err, &bad) || bad.Code == "" {
				t.Fatalf("refused with %T %v, want an inputError with a code", err, err)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted a body that is not UTF-8: %q", data)
		}
		var loose eventRequest
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&loose); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", data, err)
		}
		if !reflect.DeepEqual(strict, loose) {
			t.Fatalf("%q decodes as %+v, encoding/json as %+v", data, strict, loose)
		}
		err = checkValues(map[string]string{"event": strict.Event, "role": strict.Role}, strict.Facts, strict.Forms, strict.Note)
		if err != nil && (!errors.As(err, &bad) || bad.Code != "bad_characters" || bad.Path == "") {
			t.Fatalf("checkValues refused with %v, want bad_characters at a path", err)
		}
	})
}
