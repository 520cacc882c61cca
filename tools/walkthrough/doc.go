// Command walkthrough runs the README walkthroughs that are marked runnable,
// as a new user would run them, and fails when one no longer works as
// written.
//
// A fenced block is runnable when the line before its opening fence (blank
// lines aside) is the HTML comment
//
//	<!-- runnable -->
//
// which code-hosting pages do not show. Two kinds of block run:
//
//   - sh, bash or shell: the whole block runs in bash with -euo pipefail and
//     must exit 0. Its output is shown only when it fails.
//   - console: each line that starts with "$ " is a command, and the lines
//     up to the next command are its expected output, compared line by line
//     with trailing spaces ignored. A line holding only "…" matches any
//     number of lines, for output too long or too variable to show. The
//     exit status is not checked: the output says what happened.
//
// Every README's blocks run in order, from the top folder of one scratch copy
// of the tree (the files git tracks, and untracked files it does not ignore),
// so a walkthrough may build on its earlier steps without touching the
// checkout. The folder beside the checkout named "shared", when there is
// one, is linked beside the copy too.
//
// It is a module of its own, so it runs from its folder:
//
//	cd tools/walkthrough && go run . -root ../..          # run every marked block
//	cd tools/walkthrough && go run . -root ../.. -list    # list them
package main
