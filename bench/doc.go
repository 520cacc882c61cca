// Package bench measures the project's operations side by side with
// libraries that do part of the same job: qmuntal/stateless and looplab/fsm
// (state machines), rickar/cal (working days) and cel-go alone (guards). It
// is a module of its own so that those libraries stay out of the project's.
//
// Each benchmark names what it does, and says how much more the project's
// operation does than its peer's: the ratios are the price of that work, not
// a like-for-like race. Run, from this folder:
//
//	go test -run '^$' -bench . -benchmem -count 5
//
// and a summary of the ratios is printed after the benchmarks.
package bench
