package git

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// RemoteWebURL returns the web address of a remote's repository
// (https://host/owner/repo) for links such as Backstage's
// source-location, and ok false when the remote is missing or is not on a
// host (a path, file://). Credentials in the configured URL are never
// returned, nor put in an error.
func (r *Repo) RemoteWebURL(ctx context.Context, name string) (web string, ok bool, err error) {
	has, err := r.HasRemote(ctx, name)
	if err != nil || !has {
		return "", false, err
	}
	out, err := r.Run(ctx, "remote", "get-url", "--end-of-options", name)
	if err != nil {
		return "", false, fmt.Errorf("read the URL of remote %s: %w", name, err)
	}
	web, ok = WebURL(strings.TrimSpace(out))
	return web, ok, nil
}

// webHost is a DNS name with an optional port (IP literals in brackets are
// not a Git host's web address).
var webHost = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

// WebURL turns a Git remote URL into the https address of the repository:
// https://, http:// and ssh:// URLs and scp-like user@host:path lose their
// user, password, port (an ssh port is not the web port), query and ".git"
// suffix; anything else (a local path, file://) has none.
func WebURL(raw string) (string, bool) {
	if strings.ContainsAny(raw, " \t\r\n\\") || raw == "" {
		return "", false
	}
	var host, path string
	scheme := "https"
	if i := strings.Index(raw, "://"); i >= 0 {
		u, err := url.Parse(raw)
		if err != nil {
			return "", false
		}
		switch u.Scheme {
		case "https", "http":
			scheme, host = u.Scheme, u.Host
		case "ssh", "git", "git+ssh", "ssh+git":
			host = u.Hostname()
		default:
			return "", false
		}
		path = u.Path
	} else {
		// scp-like: [user@]host:path, where host has no '/' (else it is a
		// local path with a ':' in it).
		at := strings.Index(raw, ":")
		if at <= 0 || strings.Contains(raw[:at], "/") {
			return "", false
		}
		host = raw[:at]
		if i := strings.LastIndex(host, "@"); i >= 0 {
			host = host[i+1:]
		}
		path = "/" + strings.TrimPrefix(raw[at+1:], "/")
	}
	path = strings.TrimSuffix(strings.TrimRight(path, "/"), ".git")
	if !webHost.MatchString(host) || strings.Trim(path, "/") == "" {
		return "", false
	}
	u := url.URL{Scheme: scheme, Host: strings.ToLower(host), Path: path}
	return u.String(), true
}
