package platform

import "testing"

func TestCatalogErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "catalog section",
			doc: "  catalog:\n    system: Bad..Name\n    owner: component:web\n    lifecycle: \"in production\"\n" +
				"    server: https://admin:hunter2@ferry.example.com\n",
			want: []wantProblem{
				{7, "spec.catalog.system", `system "Bad..Name" is not a Backstage entity name`},
				{8, "spec.catalog.owner", `an owner is a group or a user, not a component`},
				{9, "spec.catalog.lifecycle", `lifecycle "in production" is invalid`},
				{10, "spec.catalog.server", "must not carry credentials"},
			}},
		{name: "server scheme", doc: "  catalog:\n    server: ftp://ferry.example.com\n",
			want: []wantProblem{{7, "spec.catalog.server", `must be an http or https URL`}}},
		{name: "component owner and lifecycle",
			doc: "  components:\n    - name: web\n      type: manifests\n      path: m\n      owner: group:Team_A/x\n" +
				"      lifecycle: -beta\n      description: \"two\\nlines\"\n",
			paths: []string{"m/"},
			want: []wantProblem{
				{10, "spec.components[0].owner", `namespace "Team_A" is not a DNS label`},
				{11, "spec.components[0].lifecycle", `lifecycle "-beta" is invalid`},
				{12, "spec.components[0].description", "description is one line"},
			}},
	})
}

func TestCatalogDefaults(t *testing.T) {
	t.Parallel()
	doc := header + "  catalog:\n    owner: group:default/sre\n  components:\n" +
		"    - name: web\n      type: manifests\n      path: m\n" +
		"    - name: api\n      type: manifests\n      path: m\n      owner: user:ana\n      lifecycle: experimental\n"
	p, err := Load(repo(t, doc, "m/"))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Spec.Catalog
	if c.System != "demo" || c.Owner != "group:default/sre" || c.Lifecycle != DefaultLifecycle || c.Server != "" {
		t.Fatalf("catalog defaults: %+v", c)
	}
	web, api := p.Spec.Components[0], p.Spec.Components[1]
	if web.Owner != "group:default/sre" || web.Lifecycle != "production" {
		t.Fatalf("web inherits the catalog's owner and lifecycle: %+v", web)
	}
	if api.Owner != "user:ana" || api.Lifecycle != "experimental" {
		t.Fatalf("api keeps its own: %+v", api)
	}
}
