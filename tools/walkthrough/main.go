package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("walkthrough", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "the repository's top folder")
	list := fs.Bool("list", false, "list the runnable blocks without running them")
	timeout := fs.Duration("timeout", 10*time.Minute, "the longest one block may run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walkthrough: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	walks, err := Find(*root)
	if err != nil {
		fmt.Fprintf(stderr, "walkthrough: %v\n", err)
		return 1
	}
	if *list {
		for _, w := range walks {
			for _, b := range w.Blocks {
				fmt.Fprintf(stdout, "%s:%d: %s, %d line(s)\n", w.File, b.Line, b.Kind, len(b.Lines))
			}
		}
		return 0
	}
	failed := 0
	for _, w := range walks {
		failures, err := w.Run(*root, *timeout)
		if err != nil {
			fmt.Fprintf(stderr, "walkthrough: %s: %v\n", w.File, err)
			return 1
		}
		for _, f := range failures {
			fmt.Fprintln(stderr, f)
		}
		failed += len(failures)
		fmt.Fprintf(stdout, "%s: %d block(s), %d failed\n", w.File, len(w.Blocks), len(failures))
	}
	if failed > 0 {
		return 1
	}
	return 0
}
