package main

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeBuild(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want build
		text string
	}{
		{
			name: "installed from a release",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/safeguarding-partnerships/escalation", Version: "v1.2.0"},
				Settings: setting("GOOS", "linux", "GOARCH", "amd64")},
			ok:   true,
			want: build{Schema: jsonSchema, Version: "v1.2.0", Go: "go1.26.8", OS: "linux", Arch: "amd64"},
			text: "escalation v1.2.0\nbuilt with go1.26.8 for linux/amd64\n",
		},
		{
			name: "built from a clone with changes",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/safeguarding-partnerships/escalation", Version: "(devel)"},
				Settings: setting("GOOS", "darwin", "GOARCH", "arm64", "vcs", "git", "vcs.revision", "0898c7c1a2b3c4d5e6f70898c7c1a2b3c4d5e6f7", "vcs.time", "2026-11-25T10:00:00Z", "vcs.modified", "true")},
			ok: true,
			want: build{Schema: jsonSchema, Version: "(devel)", Go: "go1.26.8", OS: "darwin", Arch: "arm64",
				Revision: "0898c7c1a2b3c4d5e6f70898c7c1a2b3c4d5e6f7", Time: "2026-11-25T10:00:00Z", Modified: true},
			text: "escalation (devel)\nbuilt with go1.26.8 for darwin/arm64\nfrom commit 0898c7c1a2b3c4d5e6f70898c7c1a2b3c4d5e6f7 of 2026-11-25T10:00:00Z, with changes not committed\n",
		},
		{
			name: "no build information",
			ok:   false,
			want: build{Schema: jsonSchema, Version: "(unknown)", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH},
			text: "escalation (unknown)\nbuilt with " + runtime.Version() + " for " + runtime.GOOS + "/" + runtime.GOARCH + "\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := describeBuild(tc.info, tc.ok)
			assert.Equal(t, tc.want, b)
			assert.Equal(t, tc.text, b.String())
		})
	}
}

// version and --version print the running binary's own build.
func TestVersion(t *testing.T) {
	var out, flagOut bytes.Buffer
	require.Equal(t, exitOK, run([]string{"version"}, &out, io.Discard))
	require.Equal(t, exitOK, run([]string{"--version"}, &flagOut, io.Discard))
	assert.Equal(t, out.String(), flagOut.String())
	assert.Contains(t, out.String(), "built with "+runtime.Version()+" for "+runtime.GOOS+"/"+runtime.GOARCH+"\n")

	out.Reset()
	require.Equal(t, exitOK, run([]string{"version", "--format", "json"}, &out, io.Discard))
	var b build
	require.NoError(t, json.Unmarshal(out.Bytes(), &b))
	assert.Equal(t, jsonSchema, b.Schema)
	assert.Equal(t, runtime.Version(), b.Go)
	assert.NotEmpty(t, b.Version)
}
