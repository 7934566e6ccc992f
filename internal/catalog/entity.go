package catalog

import (
	"bytes"
	"io"

	"gopkg.in/yaml.v3"
)

// APIVersion of every entity ferry writes.
const APIVersion = "backstage.io/v1alpha1"

// Entity is one Backstage catalog entity, in the field order Backstage's
// own examples use.
type Entity struct {
	APIVersion string   `yaml:"apiVersion" json:"apiVersion"`
	Kind       string   `yaml:"kind" json:"kind"`
	Metadata   Metadata `yaml:"metadata" json:"metadata"`
	Spec       Spec     `yaml:"spec" json:"spec"`
}

// Metadata is an entity's metadata.
type Metadata struct {
	Name        string            `yaml:"name" json:"name"`
	Title       string            `yaml:"title,omitempty" json:"title,omitempty"`
	Description string            `yaml:"description,omitempty" json:"description,omitempty"`
	Tags        []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Links       []Link            `yaml:"links,omitempty" json:"links,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
}

// Link is a metadata link (shown on the entity's page).
type Link struct {
	URL   string `yaml:"url" json:"url"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	Icon  string `yaml:"icon,omitempty" json:"icon,omitempty"`
}

// Spec holds the fields of the kinds ferry writes (System, Component,
// Resource); each kind uses its own subset.
type Spec struct {
	Type      string   `yaml:"type,omitempty" json:"type,omitempty"`
	Lifecycle string   `yaml:"lifecycle,omitempty" json:"lifecycle,omitempty"`
	Owner     string   `yaml:"owner" json:"owner"`
	System    string   `yaml:"system,omitempty" json:"system,omitempty"`
	DependsOn []string `yaml:"dependsOn,omitempty" json:"dependsOn,omitempty"`
}

// Header opens every catalog file ferry writes.
const Header = "# Backstage entities of this platform, generated from ferry.yaml by `ferry catalog`.\n" +
	"# Do not edit: change ferry.yaml and run `ferry catalog --output catalog-info.yaml`.\n"

// Write writes the entities as YAML documents, after Header.
func Write(w io.Writer, entities []Entity) error {
	var b bytes.Buffer
	b.WriteString(Header)
	for _, e := range entities {
		b.WriteString("---\n")
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(e); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Marshal returns what Write writes.
func Marshal(entities []Entity) ([]byte, error) {
	var b bytes.Buffer
	err := Write(&b, entities)
	return b.Bytes(), err
}
