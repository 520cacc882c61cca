package studio

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/safeguarding-partnerships/escalation/calendar"
)

var newareaDir = filepath.Join("..", "examples", "newarea")

// BenchmarkBuildNewarea is the work done on each save of examples/newarea:
// load and check the policy, draw it, parse and run its five scenarios.
func BenchmarkBuildNewarea(b *testing.B) {
	b.ReportAllocs()
	today := calendar.DateOf(fixedNow())
	for range b.N {
		if snap := build(context.Background(), folder{dir: newareaDir, name: "newarea", today: today}); len(snap.policies) != 1 {
			b.Fatal("the policy did not load")
		}
	}
}

// BenchmarkFingerprintNewarea is one poll of the watcher: what the studio
// spends every 200 ms while nothing changes.
func BenchmarkFingerprintNewarea(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		fingerprint(newareaDir)
	}
}
