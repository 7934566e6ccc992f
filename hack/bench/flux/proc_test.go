package fluxbench

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ferry.dev/ferry/internal/testenv"
)

// proc is one OS process of a tool under measurement, in its own process
// group, logging to a file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	metrics string // URL of its /metrics
}

func startProc(b testing.TB, name, bin string, env []string, args ...string) *proc {
	b.Helper()
	p := &proc{name: name, logPath: filepath.Join(b.TempDir(), name+".log")}
	logf, err := os.Create(p.logPath)
	if err != nil {
		b.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", name, err)
	}
	logf.Close()
	b.Cleanup(p.kill)
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// stop sends SIGTERM and waits for the process group's leader to exit.
// With FERRY_BENCH_PROFILE set, its log is kept there.
func (p *proc) stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
	}
	if dir := os.Getenv("FERRY_BENCH_PROFILE"); dir != "" {
		if data, err := os.ReadFile(p.logPath); err == nil {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.log", p.name, p.cmd.Process.Pid)), data, 0o644)
		}
	}
}

func (p *proc) logTail() string {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 3000 {
		data = data[len(data)-3000:]
	}
	return string(data)
}

func (p *proc) cpu(b testing.TB) time.Duration {
	d, err := testenv.ProcCPU(p.cmd.Process.Pid)
	if err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	return d
}

// mem is the process's resident and peak memory in kB.
func (p *proc) mem(b testing.TB) (rss, hwm int) {
	s, err := testenv.ProcStatus(p.cmd.Process.Pid)
	if err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	return s["VmRSS"], s["VmHWM"]
}

// metric is the sum of the samples of a series of the process's /metrics
// whose labels include match.
func (p *proc) metric(b testing.TB, name string, match map[string]string) float64 {
	b.Helper()
	return p.scrape(b).sum(b, name, match)
}

// exposition is one scrape of a process's /metrics.
type exposition struct {
	proc *proc
	text string
}

func (p *proc) scrape(b testing.TB) exposition {
	b.Helper()
	resp, err := http.Get(p.metrics)
	if err != nil {
		b.Fatalf("%s metrics: %v\n%s", p.name, err, p.logTail())
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return exposition{p, string(text)}
}

func (e exposition) sum(b testing.TB, name string, match map[string]string) float64 {
	b.Helper()
	v, err := testenv.SumMetric(e.text, name, match)
	if err != nil {
		b.Fatalf("%s metrics: %v", e.proc.name, err)
	}
	return v
}

// procs is a tool's processes: what a measurement sums.
type procs []*proc

func (ps procs) cpu(b testing.TB) (d time.Duration) {
	for _, p := range ps {
		d += p.cpu(b)
	}
	return d
}

func (ps procs) mem(b testing.TB) (rss, hwm int) {
	for _, p := range ps {
		r, h := p.mem(b)
		rss, hwm = rss+r, hwm+h
	}
	return rss, hwm
}

func loopback(b testing.TB) string {
	port, err := testenv.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// loadavg is the machine's 1-minute load average.
func loadavg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// waitUntil checks cond every 5 ms (an object read) until it holds.
func waitUntil(b testing.TB, within time.Duration, what string, cond func() bool) {
	b.Helper()
	waitEvery(b, within, 5*time.Millisecond, what, cond)
}

// waitEvery checks cond every period until it holds.
func waitEvery(b testing.TB, within, period time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(period)
	}
}
