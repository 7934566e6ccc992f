package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/yamlscan"
)

func parse(t *testing.T, src string) *yamlscan.Document {
	t.Helper()
	docs, fs := yamlscan.Parse("x.yaml", []byte(src))
	if len(fs) != 0 || len(docs) != 1 {
		t.Fatalf("parse: %+v", fs)
	}
	return docs[0]
}

const goodDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  creationTimestamp: null
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports: [{containerPort: 8080, name: http}]
          env:
            - name: MODE
              value: "80"
          resources:
            requests: {cpu: 100m, memory: 1Gi}
            limits: {cpu: 1, memory: 2Gi}
          livenessProbe:
            httpGet: {path: /, port: http}
status:
  replicas: 2
`

func TestValidateBuiltin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // rule@line
	}{
		{name: "valid deployment", src: goodDeploy},
		{name: "unknown field", src: strings.Replace(goodDeploy, "      containers:", "      containerz: []\n      containers:", 1), want: []string{"FERRY-SCH-001@17"}},
		{name: "case typo", src: strings.Replace(goodDeploy, "  replicas: 2", "  Replicas: 2", 1), want: []string{"FERRY-SCH-001@8"}},
		{name: "wrong type int", src: strings.Replace(goodDeploy, "  replicas: 2", "  replicas: two", 1), want: []string{"FERRY-SCH-002@8"}},
		{name: "number where string", src: strings.Replace(goodDeploy, `value: "80"`, "value: 80", 1), want: []string{"FERRY-SCH-002@23"}},
		{name: "list where object", src: strings.Replace(goodDeploy, "    matchLabels: {app: web}\n  strategy", "    matchLabels: [app]\n  strategy", 1), want: []string{"FERRY-SCH-002@10"}},
		{name: "missing required", src: strings.Replace(goodDeploy, "        - name: app\n", "        - ports: []\n", 1), want: []string{"FERRY-SCH-003@18"}},
		{name: "missing selector", src: strings.Replace(goodDeploy, "  selector:\n    matchLabels: {app: web}\n", "", 1), want: []string{"FERRY-SCH-003@7"}},
		{name: "removed api", src: "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n", want: []string{"FERRY-SCH-004@1"}},
		{name: "non kubernetes yaml", src: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"},
		{name: "configmap", src: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b, n: \"1\"}\n"},
		{name: "configmap number value", src: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  n: 1\n", want: []string{"FERRY-SCH-002@5"}},
		{name: "service", src: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: http}]\n  selector: {app: web}\n"},
	}
	v := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range v.Validate(parse(t, tt.src)) {
				got = append(got, fmt.Sprintf("%s@%d", f.RuleID, f.Location.Line))
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateCRD(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := New()
	if err := v.AddCRD(parse(t, string(data))); err != nil {
		t.Fatal(err)
	}
	head := "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"valid", "spec:\n  size: 3\n  color: red\n  port: http\n  labels: {a: b}\n  extra: {anything: [1]}\n", nil},
		{"missing required", "spec:\n  color: red\n", []string{"FERRY-SCH-003@4"}},
		{"unknown field", "spec:\n  size: 1\n  colour: red\n", []string{"FERRY-SCH-001@6"}},
		{"wrong type and enum", "spec:\n  size: big\n  color: green\n", []string{"FERRY-SCH-002@5", "FERRY-SCH-002@6"}},
		{"additional props typed", "spec:\n  size: 1\n  labels: {a: 1}\n", []string{"FERRY-SCH-002@6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range v.Validate(parse(t, head+tt.spec)) {
				got = append(got, fmt.Sprintf("%s@%d", f.RuleID, f.Location.Line))
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	unknownCR := parse(t, "apiVersion: other.io/v1\nkind: Thing\nmetadata: {name: t}\nspec: {x: 1}\n")
	if fs := v.Validate(unknownCR); len(fs) != 0 {
		t.Errorf("custom resource without CRD validated: %+v", fs)
	}
}

func TestValidateKubernetesFixtures(t *testing.T) {
	t.Parallel()
	// every hardened and failing workload fixture of the kubernetes rules is schema-valid
	files, _ := filepath.Glob("../rules/kubernetes/testdata/*/*/*.yaml")
	if len(files) < 20 {
		t.Fatalf("found %d fixtures", len(files))
	}
	v := New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := yamlscan.Parse(f, data)
		for _, d := range docs {
			for _, fd := range v.Validate(d) {
				t.Errorf("%s: %s", f, fd.Message)
			}
		}
	}
}

func TestMessagesNeverEchoValues(t *testing.T) {
	t.Parallel()
	d := parse(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: 918273645\n  token: [hunter2]\n")
	fs := New().Validate(d)
	if len(fs) != 2 {
		t.Fatalf("findings = %+v", fs)
	}
	for _, f := range fs {
		if strings.Contains(f.Message, "918273645") || strings.Contains(f.Message, "hunter2") {
			t.Errorf("value echoed: %s", f.Message)
		}
	}
}
