package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

// Pinned with hack/setup.sh's NPM_PACKAGES.
const (
	catalogModelVersion      = "1.10.3"
	scaffolderCommonVersion  = "2.4.0"
	catalogModelPackage      = "@backstage/catalog-model"
	scaffolderCommonPackage  = "@backstage/plugin-scaffolder-common"
	validatorScript          = "testdata/validate.cjs"
	minimumEntitiesValidated = 1
)

// verdict is validate.cjs's answer for one entity.
type verdict struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// backstageValidate runs Backstage's own validators (testdata/validate.cjs
// under node, with the packages make setup installs into bin/npm) over
// entities (anything that marshals to an entity's JSON) and returns one
// verdict per entity. A missing node or package fails under CI=true.
func backstageValidate(t *testing.T, entities any) []verdict {
	t.Helper()
	model, node := testenv.NodeModule(t, catalogModelPackage)
	scaffolder, _ := testenv.NodeModule(t, scaffolderCommonPackage)
	for dir, want := range map[string]string{model: catalogModelVersion, scaffolder: scaffolderCommonVersion} {
		if got := packageVersion(t, dir); got != want {
			t.Fatalf("%s is %s in bin/npm, the tests pin %s: run make setup", dir, got, want)
		}
	}
	in, err := json.Marshal(entities)
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(validatorScript)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, model, scaffolder)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node %s: %v\n%s", validatorScript, err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var vs []verdict
	if err := json.Unmarshal(out, &vs); err != nil {
		t.Fatalf("validate.cjs output: %v\n%s", err, out)
	}
	var n []any
	_ = json.Unmarshal(in, &n)
	if len(vs) != len(n) || len(vs) < minimumEntitiesValidated {
		t.Fatalf("validate.cjs judged %d entities of %d", len(vs), len(n))
	}
	return vs
}

func packageVersion(t *testing.T, dir string) string {
	t.Helper()
	var pkg struct{ Version string }
	data, err := readFile(filepath.Join(dir, "package.json"))
	if err == nil {
		err = json.Unmarshal(data, &pkg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pkg.Version
}

// requireValid fails t for every entity Backstage refuses.
func requireValid(t *testing.T, entities any) int {
	t.Helper()
	vs := backstageValidate(t, entities)
	for _, v := range vs {
		if !v.OK {
			t.Errorf("Backstage refuses %s %s: %s", v.Kind, v.Name, v.Error)
		}
	}
	return len(vs)
}
