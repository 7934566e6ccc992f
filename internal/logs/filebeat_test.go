package logs

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestFilebeatConfig: the reference platform's Filebeat config reads the
// ecs lines as they are (ndjson at the root, dotted keys expanded) into
// the data stream of the dataset the lines name. Filebeat itself is not
// packaged for these machines, so this reads the config; it does not run
// Filebeat.
func TestFilebeatConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "platform", "apps", "monitoring", "base", "ferry", "filebeat.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Inputs []struct {
			Type    string
			Parsers []map[string]map[string]any
		} `yaml:"filebeat.inputs"`
		Output struct {
			Index string
		} `yaml:"output.elasticsearch"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Inputs) != 1 || cfg.Inputs[0].Type != "filestream" {
		t.Fatalf("inputs: %+v", cfg.Inputs)
	}
	var ndjson map[string]any
	for _, p := range cfg.Inputs[0].Parsers {
		if p["ndjson"] != nil {
			ndjson = p["ndjson"]
		}
	}
	if ndjson == nil || ndjson["target"] != "" || ndjson["expand_keys"] != true || ndjson["message_key"] != "message" {
		t.Fatalf("ndjson parser: %v", ndjson)
	}
	if want := "logs-" + Dataset + "-default"; cfg.Output.Index != want {
		t.Fatalf("index %q, want %q: the data stream of event.dataset ferry.serve", cfg.Output.Index, want)
	}
}
