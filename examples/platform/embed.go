package reference

import "embed"

// FS is the reference platform repository, rooted at its top directory.
// The all: prefix keeps dotfiles (.gitignore, .github, .devcontainer).
//
//go:embed all:.devcontainer all:.github all:apps all:infra all:policies all:templates
//go:embed .gitignore CHANGELOG.md README.md catalog-info.yaml ferry.yaml
var FS embed.FS
