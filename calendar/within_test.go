package calendar

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseWithin(t *testing.T) {
	cases := map[string]Within{
		"2 working days":        {N: 2, Unit: WorkingDays},
		"1 working day":         {N: 1, Unit: WorkingDays},
		"  10 Working Days \n":  {N: 10, Unit: WorkingDays},
		"0 working days":        {N: 0, Unit: WorkingDays},
		"1 working days":        {N: 1, Unit: WorkingDays},
		"24 hours":              {N: 24, Unit: Hours},
		"1 hour":                {N: 1, Unit: Hours},
		"72 HOURS":              {N: 72, Unit: Hours},
		"immediately":           {Unit: WorkingDays, Immediate: true},
		" Without  Delay ":      {Unit: WorkingDays, Immediate: true},
		"1000 working days":     {N: 1000, Unit: WorkingDays},
		"100000 hours":          {N: 100000, Unit: Hours},
		"007 working days":      {N: 7, Unit: WorkingDays},
		"00000000024 hours":     {N: 24, Unit: Hours},
		"2\tworking\u00a0days ": {N: 2, Unit: WorkingDays},
	}
	for s, want := range cases {
		got, err := ParseWithin(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
	}

	bad := map[string]string{
		"":                      "use \"N working days\"",
		"2 days":                "use \"N working days\"",
		"two working days":      `"two" is not a whole number in digits`,
		"-1 working days":       `"-1" is not a whole number in digits`,
		"+2 hours":              `"+2" is not a whole number in digits`,
		"1.5 hours":             `"1.5" is not a whole number in digits`,
		"1001 working days":     "more than the limit of 1000 working days",
		"100001 hours":          "more than the limit of 100000 hours",
		"99999999999999 hours":  "more than the limit of 100000 hours",
		"immediately please":    "use \"N working days\"",
		"within 2 working days": "use \"N working days\"",
	}
	for s, msg := range bad {
		_, err := ParseWithin(s)
		if assert.Error(t, err, s) {
			assert.Contains(t, err.Error(), msg, s)
		}
	}
}

func TestWithinString(t *testing.T) {
	cases := map[Within]string{
		{N: 2, Unit: WorkingDays}:            "2 working days",
		{N: 1, Unit: WorkingDays}:            "1 working day",
		{N: 0, Unit: WorkingDays}:            "0 working days",
		{N: 24, Unit: Hours}:                 "24 hours",
		{N: 1, Unit: Hours}:                  "1 hour",
		{Unit: WorkingDays, Immediate: true}: "immediately",
		{}:                                   "",
	}
	for w, want := range cases {
		assert.Equal(t, want, w.String())
		if !w.IsZero() {
			back, err := ParseWithin(want)
			require.NoError(t, err)
			assert.Equal(t, w, back)
		}
	}
	assert.Equal(t, "unit(9)", Unit(9).String())
}

func TestWithinText(t *testing.T) {
	type obligation struct {
		Within Within `json:"within"`
	}
	b, err := json.Marshal(obligation{Within{N: 2, Unit: WorkingDays}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"within":"2 working days"}`, string(b))

	var o obligation
	require.NoError(t, json.Unmarshal([]byte(`{"within":"without delay"}`), &o))
	assert.Equal(t, Within{Unit: WorkingDays, Immediate: true}, o.Within)
	require.NoError(t, json.Unmarshal([]byte(`{"within":""}`), &o))
	assert.True(t, o.Within.IsZero())
	assert.Error(t, json.Unmarshal([]byte(`{"within":"soon"}`), &o))

	b, err = Within{}.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, b)
	for _, w := range []Within{
		{N: -1, Unit: WorkingDays},
		{N: 2, Unit: 9},
		{N: 2, Unit: Hours, Immediate: true},
		{N: 1001, Unit: WorkingDays},
	} {
		_, err := w.MarshalText()
		assert.Error(t, err, "%#v", w)
	}
}
