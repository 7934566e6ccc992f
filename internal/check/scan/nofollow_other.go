//go:build !unix

package scan

import "io"

const oNoFollow = 0

func ioLimit(r io.Reader, n int64) io.Reader { return io.LimitReader(r, n) }
