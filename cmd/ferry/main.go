// Command ferry runs a platform team's GitOps workflow end to end.
package main

import (
	"os"

	"ferry.dev/ferry/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
