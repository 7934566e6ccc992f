// Package reference holds the reference platform repository: the files in
// this directory (ferry.yaml, infra/, apps/, policies/, …) embedded into the
// ferry binary, which `ferry init` writes out. It owns the content only;
// writing it to disk and making the Git repository belong to
// internal/scaffold. Go files in this directory are not part of the platform.
package reference
