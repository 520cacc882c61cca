package calendar

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's documentation stands alone: every Markdown file a comment
// names is in the repository, at the path it gives from the package's folder
// or from the module's root. (A reader of pkg.go.dev has the module, not the
// project's notes.)
func TestDocsCiteOnlyTheRepository(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	cited := regexp.MustCompile(`[\w./-]*\w\.md\b`)
	exists := func(name string) bool {
		for _, dir := range []string{".", ".."} {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				return true
			}
		}
		return false
	}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, cg := range f.Comments {
			for _, name := range cited.FindAllString(cg.Text(), -1) {
				assert.True(t, exists(name), "%s cites %s, which the repository does not have", fset.Position(cg.Pos()), name)
			}
		}
	}
}
