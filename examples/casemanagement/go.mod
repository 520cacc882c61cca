module github.com/safeguarding-partnerships/escalation/examples/casemanagement

go 1.26.0

require (
	github.com/safeguarding-partnerships/escalation v0.0.0
	// modernc.org/sqlite: SQLite for database/sql in pure Go, so the example
	// builds and runs with nothing but Go (no C toolchain, no cgo). v1.62.0
	// (SQLite 3.54.1) is the newest release; since v1.60.0 it requires Go
	// 1.26, which is what sets the go directive above to 1.26.0. It must run
	// with the modernc.org/libc version it pins (below, kept by go mod tidy).
	modernc.org/sqlite v1.62.0
)

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/go-jose/go-jose/v4 v4.1.9
)

require (
	cel.dev/cel-go v0.33.2 // indirect
	cel.dev/expr v0.25.1 // indirect
	github.com/antlr4-go/antlr/v4 v4.13.1 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/rickar/cal/v2 v2.1.26 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/exp v0.0.0-20240823005443-9b4947da3948 // indirect
	golang.org/x/oauth2 v0.36.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20240826202546-f6391c0de4c7 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240826202546-f6391c0de4c7 // indirect
	google.golang.org/protobuf v1.36.10 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

// The library itself, from this checkout: the example always runs against
// the code beside it, never a published version.
replace github.com/safeguarding-partnerships/escalation => ../..
