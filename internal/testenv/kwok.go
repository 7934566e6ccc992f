package testenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// kwokNodeAnnotation marks the Nodes kwok manages.
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// KwokStagesDir is where hack/setup.sh copies kwok v0.7.0's stage files
// (pod/fast, node/fast, node/heartbeat-with-lease), inside BinDir.
const KwokStagesDir = "kwok-stages"

// kwokStageFiles lists the stage files setup copied, sorted.
func kwokStageFiles() ([]string, error) {
	dir, err := BinDir()
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, KwokStagesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, &ToolNotFoundError{
			Tool: KwokStagesDir,
			How:  "run `make setup` (hack/setup.sh copies kwok's stage files into bin/" + KwokStagesDir + ")",
		}
	}
	sort.Strings(files)
	return files, nil
}

// writeKwokConfig joins the stage files into one multi-document config:
// without stages kwok changes no status, so Nodes never get Ready and Pods
// never run.
func (cp *ControlPlane) writeKwokConfig() (string, error) {
	files, err := kwokStageFiles()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read kwok stage: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimPrefix(data, []byte("---\n")))
		if !bytes.HasSuffix(data, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	path := filepath.Join(cp.Dir, "kwok.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write kwok config: %w", err)
	}
	return path, nil
}
