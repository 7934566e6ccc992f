package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func init() {
	howToGet["node"] = "install Node.js (apt-get install -y nodejs npm); make setup installs the npm packages tests use into bin/npm"
}

// NodeModule returns the directory of an npm package that make setup
// installed into bin/npm (for tests that check ferry's output with a
// project's own definitions), and the node binary. Missing either skips t,
// or fails it when CI=true.
func NodeModule(t testing.TB, name string) (dir, node string) {
	t.Helper()
	node = Require(t, "node")
	bin, err := BinDir()
	if err == nil {
		dir = filepath.Join(bin, "npm", "node_modules", filepath.FromSlash(name))
		if _, err = os.Stat(filepath.Join(dir, "package.json")); err == nil {
			return dir, node
		}
	}
	msg := "testenv: npm package " + name + " not in bin/npm: run `make setup`"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: missing tools fail instead of skipping)", msg)
	}
	t.Skip(msg)
	return "", ""
}
