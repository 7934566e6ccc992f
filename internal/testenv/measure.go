package testenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/kubernetes"
)

// ProcCPU is the user+system time of process pid plus that of the children
// it waited for (git fetches, terraform), from /proc/PID/stat in USER_HZ
// ticks of 10ms.
func ProcCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
	}
	// Fields after the parenthesised command name; utime, stime, cutime
	// and cstime are the 14th to 17th fields of the whole line.
	rest := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(rest) < 15 {
		return 0, fmt.Errorf("read the CPU time of process %d: short /proc stat line", pid)
	}
	ticks := 0
	for _, f := range rest[11:15] {
		n, _ := strconv.Atoi(f)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// ProcStatus is the kB figures of /proc/PID/status: VmRSS (resident),
// RssAnon (heap and stacks), RssFile (mapped files, the binary), VmHWM
// (peak resident), …
func ProcStatus(pid int) (map[string]int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, fmt.Errorf("read the memory of process %d: %w", pid, err)
	}
	out := map[string]int{}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			out[k], _ = strconv.Atoi(f[0])
		}
	}
	return out, nil
}

// APIWrites reads the API server's apiserver_request_total and sums the
// persisted writes (no dry-runs) per resource. Node heartbeats, leases and
// events are other components' housekeeping and left out, as are status
// updates (kwok and the controllers write those).
func APIWrites(ctx context.Context, kube kubernetes.Interface) (map[string]int, error) {
	raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the API server's metrics: %w", err)
	}
	samples, err := ParseMetrics(string(raw), "apiserver_request_total")
	if err != nil {
		return nil, fmt.Errorf("read the API server's metrics: %w", err)
	}
	out := map[string]int{}
	for _, s := range samples {
		switch s.Labels["verb"] {
		case "POST", "PUT", "PATCH", "DELETE", "APPLY", "DELETECOLLECTION":
		default:
			continue
		}
		switch l := s.Labels; {
		case l["dry_run"] != "", l["subresource"] == "status",
			l["resource"] == "leases", l["resource"] == "nodes", l["resource"] == "events":
			continue
		}
		out[s.Labels["resource"]] += int(s.Value)
	}
	return out, nil
}

// Sample is one sample of a series in a Prometheus text exposition.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// ParseMetrics returns the samples of the series name (a counter's or a
// gauge's; for a histogram name_sum and name_count) in a Prometheus text
// exposition, read with Prometheus's own parser.
func ParseMetrics(text, name string) ([]Sample, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse a metrics exposition: %w", err)
	}
	base, part := name, ""
	for _, suffix := range []string{"_sum", "_count"} {
		if b, ok := strings.CutSuffix(name, suffix); ok && fams[name] == nil && fams[b] != nil {
			base, part = b, suffix
		}
	}
	fam := fams[base]
	if fam == nil {
		return nil, nil
	}
	var out []Sample
	for _, m := range fam.GetMetric() {
		s := Sample{Labels: map[string]string{}}
		for _, l := range m.GetLabel() {
			s.Labels[l.GetName()] = l.GetValue()
		}
		switch {
		case part == "_sum" && m.GetHistogram() != nil:
			s.Value = m.GetHistogram().GetSampleSum()
		case part == "_count" && m.GetHistogram() != nil:
			s.Value = float64(m.GetHistogram().GetSampleCount())
		case m.GetCounter() != nil:
			s.Value = m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			s.Value = m.GetGauge().GetValue()
		case m.GetUntyped() != nil:
			s.Value = m.GetUntyped().GetValue()
		default:
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// SumMetric is the sum of the samples of name whose labels include match.
func SumMetric(text, name string, match map[string]string) (float64, error) {
	samples, err := ParseMetrics(text, name)
	if err != nil {
		return 0, err
	}
	sum := 0.0
next:
	for _, s := range samples {
		for k, v := range match {
			if s.Labels[k] != v {
				continue next
			}
		}
		sum += s.Value
	}
	return sum, nil
}
