package catalog

import (
	"net/url"
	"path"
	"strings"
)

// sourceLocation is the backstage.io/source-location of dir (relative to
// the repository root, "" for the root) on branch: "url:" and the web
// address of that tree. GitLab spells a tree /-/tree/, Gitea and Forgejo
// /src/branch/; other hosts (GitHub, and the default) /tree/.
func sourceLocation(repo, branch, dir string) (string, bool) {
	if repo == "" || branch == "" {
		return "", false
	}
	u, err := url.Parse(repo)
	if err != nil || u.Host == "" {
		return "", false
	}
	tree := "tree"
	switch host := strings.ToLower(u.Hostname()); {
	case strings.Contains(host, "gitlab"):
		tree = "-/tree"
	case strings.Contains(host, "gitea"), strings.Contains(host, "forgejo"), host == "codeberg.org":
		tree = "src/branch"
	}
	p := path.Join(u.Path, tree, branch, dir)
	u.Path = p + "/" // a directory: Backstage reads the location as one
	return "url:" + u.String(), true
}
