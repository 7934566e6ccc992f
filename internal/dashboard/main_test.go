package dashboard_test

import (
	"os"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

// TestMain stops the browser, the control plane and PostgreSQL the tests
// shared.
func TestMain(m *testing.M) {
	code := testenv.Run(m)
	stopBrowser()
	os.Exit(code)
}
