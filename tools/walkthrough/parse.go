package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Marker is the line that makes the next fenced block runnable.
const Marker = "<!-- runnable -->"

// Kind is how a block runs.
type Kind string

const (
	// Script blocks (sh, bash, shell) run whole and must exit 0.
	Script Kind = "script"
	// Console blocks hold "$ " commands, each followed by its output.
	Console Kind = "console"
)

// Block is one runnable fenced block of a README.
type Block struct {
	Line  int // of the opening fence, counting from 1
	Kind  Kind
	Lines []string // between the fences
}

// Walkthrough is the runnable blocks of one README, in order.
type Walkthrough struct {
	File   string // relative to the root, with forward slashes
	Blocks []Block
}

// Find reads every README.md under root (skipping .git and testdata) and
// returns those with runnable blocks, in path order.
func Find(root string) ([]Walkthrough, error) {
	var walks []Walkthrough
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == ".git" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "README.md" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		blocks, err := Parse(src)
		if err != nil {
			return fmt.Errorf("%s:%w", rel, err)
		}
		if len(blocks) > 0 {
			walks = append(walks, Walkthrough{File: rel, Blocks: blocks})
		}
		return nil
	})
	sort.Slice(walks, func(i, j int) bool { return walks[i].File < walks[j].File })
	return walks, err
}

// Parse returns the runnable blocks of a Markdown text. A marker that is not
// followed by a block it can run, or a runnable block that is never closed,
// is an error that names its line, so a walkthrough cannot silently stop
// being checked.
func Parse(src []byte) ([]Block, error) {
	var blocks []Block
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	marked := 0 // the marker's line, while waiting for its block
	var open *Block
	var fence string
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if open != nil {
			if trimmed == fence {
				blocks = append(blocks, *open)
				open = nil
				continue
			}
			open.Lines = append(open.Lines, line)
			continue
		}
		switch {
		case trimmed == Marker:
			if marked != 0 {
				return nil, fmt.Errorf("%d: a second %s before the block of the one on line %d", n, Marker, marked)
			}
			marked = n
		case marked != 0 && trimmed == "":
		case marked != 0:
			if !strings.HasPrefix(trimmed, "```") {
				return nil, fmt.Errorf("%d: %s on line %d is not followed by a fenced block", n, Marker, marked)
			}
			kind, err := kindOf(strings.TrimSpace(strings.TrimLeft(trimmed, "`")))
			if err != nil {
				return nil, fmt.Errorf("%d: %w", n, err)
			}
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
			open = &Block{Line: n, Kind: kind}
			marked = 0
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if open != nil {
		return nil, fmt.Errorf("%d: the runnable block is never closed", open.Line)
	}
	if marked != 0 {
		return nil, fmt.Errorf("%d: %s is not followed by a fenced block", marked, Marker)
	}
	return blocks, nil
}

func kindOf(info string) (Kind, error) {
	lang, _, _ := strings.Cut(info, " ")
	switch lang {
	case "sh", "bash", "shell":
		return Script, nil
	case "console":
		return Console, nil
	}
	return "", fmt.Errorf("a runnable block must be sh, bash, shell or console, not %q", lang)
}
