package yamlfront

import "go.yaml.in/yaml/v3"

// checkLimits reports an alias cycle, nesting deeper than MaxDepth, or more
// than MaxAliasNodes nodes reached through aliases ("billion laughs"). The
// rest of the loader walks the tree freely once this passes.
func (f *File) checkLimits(root *yaml.Node, noun string) bool {
	l := limitWalk{f: f, noun: noun, open: map[*yaml.Node]bool{}}
	return l.walk(root, 1, nil)
}

type limitWalk struct {
	f       *File
	noun    string
	open    map[*yaml.Node]bool // anchored nodes being walked: an alias to one is a cycle
	aliased int                 // nodes reached through aliases so far
}

// walk visits n at the given depth; via is the outermost alias followed to
// reach it, nil if none.
func (l *limitWalk) walk(n *yaml.Node, depth int, via *yaml.Node) bool {
	if depth > MaxDepth {
		l.f.ErrorAt(n, "too-deep", Article(l.noun)+" is nested about ten levels deep; check the indentation", "the file is nested more than %d levels deep", MaxDepth)
		return false
	}
	if via != nil {
		if l.aliased++; l.aliased > MaxAliasNodes {
			l.f.ErrorAt(via, "alias-limit", "repeat the content instead of nesting aliases", "the aliases in this file expand to more than %d nodes", MaxAliasNodes)
			return false
		}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return true
		}
		if l.open[n.Alias] {
			l.f.ErrorAt(n, "alias-cycle", "an alias cannot refer to the node that contains it", "alias *%s refers to itself", n.Value)
			return false
		}
		if via == nil {
			via = n
		}
		return l.walk(n.Alias, depth, via)
	}
	if n.Anchor != "" {
		l.open[n] = true
		defer delete(l.open, n)
	}
	for _, c := range n.Content {
		if !l.walk(c, depth+1, via) {
			return false
		}
	}
	return true
}
