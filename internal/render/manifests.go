package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// maxManifestBytes bounds one manifest file; a larger file is almost
// certainly not a hand-written manifest and would only exhaust memory.
const maxManifestBytes = 16 << 20

// renderManifests reads every .yaml, .yml and .json file directly in dir (in
// name order; subdirectories are not read, so a chart or overlay next to them
// is never picked up by accident).
func renderManifests(root, dir string) ([]*unstructured.Unstructured, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	var names []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, n := range names {
		rel, _ := filepath.Rel(root, filepath.Join(dir, n))
		p, err := inside(root, rel)
		if err != nil {
			return nil, err
		}
		data, err := readLimited(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		got, err := ParseManifests(data, rel)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	return objs, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("file larger than %d bytes", maxManifestBytes)
	}
	return data, nil
}

// ParseManifests decodes multi-document YAML (or JSON) into objects. Empty
// documents are skipped, a `kind: List` is flattened, and every object must
// have apiVersion, kind and metadata.name. source names the input in errors.
func ParseManifests(data []byte, source string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: document %d: %w", source, doc, err)
		}
		m, err := toMap(raw)
		if err != nil {
			return nil, fmt.Errorf("parse %s: document %d: %w", source, doc, err)
		}
		if len(m) == 0 {
			continue
		}
		got, err := toObjects(m)
		if err != nil {
			return nil, fmt.Errorf("parse %s: document %d: %w", source, doc, err)
		}
		objs = append(objs, got...)
	}
}

// toMap decodes a JSON object with integers as int64 (what unstructured
// objects and server-side apply expect), null and non-objects as empty.
func toMap(raw []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("not an object: %w", err)
	}
	return m, nil
}

func toObjects(m map[string]any) ([]*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{Object: m}
	if u.IsList() {
		list, err := u.ToList()
		if err != nil {
			return nil, fmt.Errorf("decode list: %w", err)
		}
		var out []*unstructured.Unstructured
		for i := range list.Items {
			if err := checkObject(&list.Items[i]); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			out = append(out, &list.Items[i])
		}
		return out, nil
	}
	if err := checkObject(u); err != nil {
		return nil, err
	}
	return []*unstructured.Unstructured{u}, nil
}

func checkObject(u *unstructured.Unstructured) error {
	if _, ok := u.Object["apiVersion"].(string); !ok || u.GetAPIVersion() == "" {
		return errors.New("missing apiVersion")
	}
	if _, ok := u.Object["kind"].(string); !ok || u.GetKind() == "" {
		return errors.New("missing kind")
	}
	if md, ok := u.Object["metadata"]; !ok {
		return errors.New("missing metadata")
	} else if _, ok := md.(map[string]any); !ok {
		return errors.New("metadata is not a map")
	}
	if u.GetName() == "" {
		return fmt.Errorf("%s without metadata.name", u.GetKind())
	}
	return nil
}
