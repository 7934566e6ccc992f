package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"

	"ferry.dev/ferry/internal/check"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes one test suite per file and one test case per finding: a
// failure when it reaches the threshold, a passing case (with the finding
// in its name) below it, skipped when suppressed. With no findings at all
// a single passing case records that the checks ran.
func JUnit(w io.Writer, r *Report) error {
	byFile := map[string]*junitSuite{}
	for _, f := range r.Findings {
		s := byFile[f.Location.File]
		if s == nil {
			s = &junitSuite{Name: f.Location.File}
			byFile[f.Location.File] = s
		}
		c := junitCase{Name: fmt.Sprintf("%s %s", f.RuleID, caseSubject(f.Resource, f.Location.Line)), Classname: f.Location.File}
		switch {
		case f.Suppressed != nil:
			c.Skipped = &junitSkipped{Message: "suppressed: " + f.Suppressed.Reason}
			s.Skipped++
		case check.AtLeast(f.Severity, r.FailOn):
			c.Failure = &junitFailure{Message: f.Message, Type: string(f.Severity),
				Text: fmt.Sprintf("%s:%s %s [%s] %s", f.Location.File, position(f.Location), f.RuleID, f.Severity, f.Message)}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	out := junitSuites{Name: r.Tool}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		s := byFile[f]
		out.Suites = append(out.Suites, *s)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
	}
	if len(out.Suites) == 0 {
		out.Suites = []junitSuite{{Name: r.Tool, Tests: 1, Cases: []junitCase{{Name: "no findings", Classname: r.Tool}}}}
		out.Tests = 1
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func caseSubject(resource string, line int) string {
	if resource != "" {
		return resource
	}
	return fmt.Sprintf("line %d", line)
}
