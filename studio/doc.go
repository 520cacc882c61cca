// Package studio serves escalation studio: a web page, on the author's own
// machine, that shows what the project's packages make of the policy files
// in one folder, and shows it again each time a file there is saved.
//
// # Model
//
// The studio owns no second implementation of anything: a snapshot of the
// folder is what the library's packages say about it. engine.Load validates
// each policy file (with its documents, to check quotes) and
// engine.WriteDiagnostics renders each problem as the command line does;
// package diagram draws the chart; package scenario parses and runs every
// scenario file; package document writes the procedure up. Requests for
// the timeline (package timeline, with the case's facts) and for a played
// case (engine Raise, Fire, Due and Available) are answered from the
// current snapshot's policies. A thin layer of view types (State,
// PolicyView, TimelineView, PlayView, ...) turns their results into JSON for
// the page, so a change to those packages' APIs touches only this layer.
//
// A played case is not kept on the server: the page sends the whole story
// (the raise and every event) each time, and the engine replays it. After a
// save the same story replays under the new rules. Save as scenario writes
// the story as a scenario file, with the expectations each step had as it
// was played, into the scenarios folder beside the policy, and never
// replaces a file unless the author confirms.
//
// A watcher polls the folder's file names, sizes and modification times
// (standard library only: it sees in-place writes and editors that rename a
// new file over the old alike), builds a new snapshot on any change, and
// tells every open page over Server-Sent Events; the page fetches the new
// state and redraws the view on screen.
//
// # Who can use it
//
// The studio reads the author's files and writes scenario files, so only
// the author's own browser may drive it. It listens on 127.0.0.1 only (a
// free port unless WithAddr says otherwise). URL carries a secret made for
// the run, which the first visit swaps for an HttpOnly, SameSite=Strict
// cookie; every request needs it. Every request must name the studio's own
// address in Host (no DNS rebinding), and every request that changes
// anything must come from the studio's own page (Origin) with a JSON body
// (so no other site's form can send one). Writes stay inside the folder: a
// scenario file's name cannot name a folder, and no link leading out of the
// folder, nor any link at all where the file goes, is written through.
// Bodies, headers, steps and open event streams are bounded, and every
// connection has read, write and idle timeouts.
//
// Everything the page loads (its script and style, and Mermaid, vendored
// under static/vendor/mermaid with its licence and provenance) is served
// from the binary, and its Content-Security-Policy lets it load nothing
// from anywhere else.
package studio
