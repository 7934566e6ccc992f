//go:build unix

package scan

import (
	"io"
	"syscall"
)

const oNoFollow = syscall.O_NOFOLLOW

func ioLimit(r io.Reader, n int64) io.Reader { return io.LimitReader(r, n) }
