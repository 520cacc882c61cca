package source

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLines(t *testing.T) {
	st := New([]byte("a\r\nb\rc\u2028d\u0085e\nf"))
	require.Equal(t, 6, st.Lines())
	for i, want := range []string{"a", "b", "c", "d", "e", "f"} {
		l, ok := st.Line(i + 1)
		require.True(t, ok)
		assert.Equal(t, want, string(l))
	}
	for _, n := range []int{0, 7} {
		_, ok := st.Line(n)
		assert.False(t, ok, "line %d", n)
	}
	assert.Equal(t, 3, st.Start(2))
	assert.Equal(t, len(st.Bytes()), st.Start(99))
	assert.Equal(t, 2, New([]byte("a\n")).Lines(), "a final break starts an empty line")
}

func TestOffsetAndLineCol(t *testing.T) {
	st := New([]byte("ab\n“é” x\n"))
	off, ok := st.Offset(2, 4)
	require.True(t, ok)
	assert.Equal(t, byte(' '), st.Bytes()[off])
	line, col := st.LineCol(off)
	assert.Equal(t, [2]int{2, 4}, [2]int{line, col})
	_, ok = st.Offset(1, 4)
	assert.False(t, ok, "past the end of the line")
	_, ok = st.Offset(1, 0)
	assert.False(t, ok, "columns count from 1")
	line, col = st.LineCol(1 << 20)
	assert.Equal(t, [2]int{3, 1}, [2]int{line, col}, "past the end is the end")
}
