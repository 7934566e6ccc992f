package testenv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProcessExitedError says a control-plane process died; it carries the tail
// of the process's log, which is where the reason is.
type ProcessExitedError struct {
	Name    string
	Err     error // from Wait
	Log     string
	LogTail string
}

func (e *ProcessExitedError) Error() string {
	return fmt.Sprintf("%s exited: %v (log %s):\n%s", e.Name, e.Err, e.Log, e.LogTail)
}

// process is one child of the control plane, logging to a file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
}

// startProcess starts bin with args, stdout and stderr to logPath. The child
// gets SIGKILL when the test process dies (Pdeathsig, from the spawner
// thread), so a test binary that crashes or is killed leaks no server; it runs
// in its own
// process group, so a terminal's ^C reaches only the parent, which stops the
// children in order.
func startProcess(name, bin string, args []string, logPath string, env []string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := startOnSpawnerThread(cmd); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// Pdeathsig fires when the *thread* that forked the child exits, not the
// process, and the Go runtime may end a thread while the process lives on
// (a goroutine that exits while locked to its thread takes the thread
// along). Forking every child from one goroutine locked to its thread for
// the life of the process ties the children to the process instead.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func startOnSpawnerThread(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd: cmd, done: done}
	return <-done
}

// exited returns a ProcessExitedError when the process has ended, else nil.
func (p *process) exited() error {
	select {
	case <-p.done:
		return &ProcessExitedError{Name: p.name, Err: p.waitErr, Log: p.logPath, LogTail: logTail(p.logPath, 25)}
	default:
		return nil
	}
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// rssBytes reads the resident set size of a live process from /proc.
func (p *process) rssBytes() (int64, error) {
	select {
	case <-p.done:
		return 0, nil
	default:
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read %s status: %w", p.name, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s VmRSS: %w", p.name, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("read rss: no VmRSS line")
}

// logTail returns the last n lines of a log file, for error messages.
func logTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > 400 {
			lines[i] = l[:400] + "…"
		}
	}
	return strings.Join(lines, "\n")
}
