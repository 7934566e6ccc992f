package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"ferry.dev/ferry/internal/testenv"
)

// One headless Chromium for the whole package, started by the first test
// that needs it and stopped by TestMain; each test opens its own tabs in
// their own browser contexts (separate cookie jars).
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
	dir    string
}

// chromiumFlags are the launch flags that work on these machines (as
// root, on a closed network): no sandbox, no GPU, nothing that phones home.
func chromiumFlags(exe, dir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1366, 900),
	}
}

// startBrowser returns the shared browser's context. Chromium missing is
// a failure, not a skip: make setup installs it (Debian chromium).
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(func() {
		exe, err := exec.LookPath("chromium")
		if err != nil {
			browser.err = fmt.Errorf("chromium is not installed (the dashboard's tests run in a real browser): run `make setup`, which installs Debian's chromium and chromium-driver")
			return
		}
		if browser.dir, err = os.MkdirTemp("", "ferry-chromium-"); err != nil {
			browser.err = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromiumFlags(exe, browser.dir)...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browser.ctx, browser.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			browser.err = fmt.Errorf("start chromium (%s): %w", exe, err)
		}
	})
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	return browser.ctx
}

func stopBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
}

// tab opens a tab in a fresh browser context (its own cookies), closed
// at the end of t.
func tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(startBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// sibling opens another tab in the same browser context as ctx (the same
// user, logged in).
func sibling(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(c, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return c
}

// do runs steps with a deadline, failing t with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", expr, err)
	}
	return v
}

// text is the visible text of the element sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel))
}

// waitText waits until the element sel's text contains want. It polls
// from Go, so a navigation in between (a form's redirect) is no error.
func waitText(t *testing.T, ctx context.Context, sel, want string, within time.Duration) {
	t.Helper()
	expr := fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText.includes(%q)`, sel, want)
	deadline := time.Now().Add(within)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %v for %q in %s (%v); it shows:\n%s", within, want, sel, err, text(t, ctx, sel))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// artifacts is where the screenshots go: $FERRY_TEST_ARTIFACTS, else a
// directory under the system's temporary directory (kept after the test,
// its path logged).
var artifacts = sync.OnceValue(func() string {
	dir := os.Getenv("FERRY_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ferry-test-artifacts")
	}
	dir = filepath.Join(dir, "dashboard-"+time.Now().UTC().Format("20060102-150405"))
	_ = os.MkdirAll(dir, 0o755)
	return dir
})

// screenshot saves a full-page PNG of the tab as name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifacts(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// darkMode makes the tab prefer a dark colour scheme (or not).
func darkMode(t *testing.T, ctx context.Context, dark bool) {
	t.Helper()
	v := "light"
	if dark {
		v = "dark"
	}
	do(t, ctx, "emulate "+v+" scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia,
			emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
		return err
	}))
}

// phone emulates a phone's viewport (or back to the laptop's).
func phone(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if on {
		do(t, ctx, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile))
		return
	}
	do(t, ctx, "emulate a laptop", chromedp.EmulateViewport(1366, 900))
}

// axeSource is axe-core's script, from the npm package make setup puts in
// bin/npm. Missing is a failure: setup installs it.
var axeSource = sync.OnceValues(func() (string, error) {
	bin, err := testenv.BinDir()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(bin, "npm", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", fmt.Errorf("axe-core is not in bin/npm (the accessibility check needs it): run `make setup`: %w", err)
	}
	return string(b), nil
})

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes int `json:"passes"`
}

// accessible runs axe-core (WCAG 2.x A/AA and best practices) on the page
// in the tab and fails t on any serious or critical violation; lesser ones
// are logged.
func accessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `typeof axe !== "undefined"`) {
		eval[chromedp.Void](t, ctx, src+";void 0")
	}
	raw := eval[string](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify({violations: r.violations, passes: r.passes.length}))`)
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	var bad []string
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target))
		}
		line := fmt.Sprintf("%s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, line)
		} else {
			t.Logf("axe on %s (not failing): %s", page, line)
		}
	}
	if len(bad) > 0 {
		t.Errorf("axe-core on %s: %d serious or critical violation(s):\n%s", page, len(bad), strings.Join(bad, "\n"))
	} else {
		t.Logf("axe-core on %s: no serious or critical violations (%d violations in all)", page, len(res.Violations))
	}
}
