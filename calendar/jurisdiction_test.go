package calendar

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJurisdictions(t *testing.T) {
	all := Jurisdictions()
	assert.True(t, slices.IsSorted(all))
	assert.ElementsMatch(t, []Jurisdiction{EnglandAndWales, Scotland, NorthernIreland, IsleOfMan}, all)
	all[0] = "changed"
	assert.Equal(t, EnglandAndWales, Jurisdictions()[0], "callers get their own slice")
}

func TestParseJurisdiction(t *testing.T) {
	for _, j := range Jurisdictions() {
		got, err := ParseJurisdiction(string(j))
		require.NoError(t, err)
		assert.Equal(t, j, got)
	}
	suggest := map[string]string{
		"scotand":           `did you mean "scotland"?`,
		"England and Wales": `did you mean "england-and-wales"?`,
		"england & wales":   `did you mean "england-and-wales"?`,
		"Isle_of_Man":       `did you mean "isle-of-man"?`,
		"northern-irland":   `did you mean "northern-ireland"?`,
	}
	for s, hint := range suggest {
		_, err := ParseJurisdiction(s)
		if assert.Error(t, err, s) {
			assert.Contains(t, err.Error(), hint)
			assert.Contains(t, err.Error(), "use one of england-and-wales, isle-of-man, northern-ireland, scotland")
		}
	}
	for _, s := range []string{"", "wales", "france"} {
		_, err := ParseJurisdiction(s)
		if assert.Error(t, err, s) {
			assert.NotContains(t, err.Error(), "did you mean")
			assert.Contains(t, err.Error(), "use one of england-and-wales")
		}
	}
}
