package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func versionCommand() *command {
	c := &command{
		name:    "version",
		args:    "[--format text|json]",
		nargs:   [2]int{0, 0},
		summary: "say which build this is, for a bug report",
		about: `Prints the build of escalation that is running, from what the Go toolchain
recorded in the binary: its module version (a release tag, a pseudo-version
for a commit, or "(devel)" for a build from a clone), the Go version and
platform it was built with and, for a build from a clone, the commit, its
time and whether the clone had changes not committed. 'escalation --version'
prints the same.

JSON: {"schema", "version", "go", "os", "arch", "revision", "time",
"modified"}; "revision" and "time" are empty when the build does not record
them.`,
		example: "escalation version",
	}
	c.setup = func(fs *flag.FlagSet) func(*env, []string) int {
		format := formatFlag(fs, "text", "json")
		return func(e *env, _ []string) int {
			b := describeBuild(debug.ReadBuildInfo())
			var err error
			if format.value == "json" {
				err = writeJSON(e.stdout, b)
			} else {
				_, err = fmt.Fprint(e.stdout, b)
			}
			if err != nil {
				return e.fail(c, "%v", err)
			}
			return exitOK
		}
	}
	return c
}

// build is what the binary says about how it was built.
type build struct {
	Schema   int    `json:"schema"`
	Version  string `json:"version"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Revision string `json:"revision"`
	Time     string `json:"time"`
	Modified bool   `json:"modified"`
}

// describeBuild reads debug.ReadBuildInfo's answer. A binary built without
// module support records nothing; the running toolchain and platform are
// then the best that can be said.
func describeBuild(info *debug.BuildInfo, ok bool) build {
	b := build{Schema: jsonSchema, Version: "(unknown)", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if !ok || info == nil {
		return b
	}
	b.Version, b.Go = info.Main.Version, info.GoVersion
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "GOOS":
			b.OS = s.Value
		case "GOARCH":
			b.Arch = s.Value
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b build) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "escalation %s\nbuilt with %s for %s/%s\n", b.Version, b.Go, b.OS, b.Arch)
	if b.Revision != "" {
		fmt.Fprintf(&s, "from commit %s", b.Revision)
		if b.Time != "" {
			fmt.Fprintf(&s, " of %s", b.Time)
		}
		if b.Modified {
			s.WriteString(", with changes not committed")
		}
		s.WriteString("\n")
	}
	return s.String()
}
