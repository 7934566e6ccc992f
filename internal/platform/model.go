package platform

import "time"

// APIVersion and Kind identify a ferry.yaml document.
const (
	APIVersion = "ferry.dev/v1alpha1"
	Kind       = "Platform"
	FileName   = "ferry.yaml"
)

// Platform is the validated platform model: ferry.yaml with defaults applied.
type Platform struct {
	APIVersion string   `yaml:"apiVersion" json:"apiVersion"`
	Kind       string   `yaml:"kind" json:"kind"`
	Metadata   Metadata `yaml:"metadata" json:"metadata"`
	Spec       Spec     `yaml:"spec" json:"spec"`

	// Dir is the platform repository root the model was loaded from; paths
	// in the model are relative to it. Not part of the file.
	Dir string `yaml:"-" json:"-"`
}

// Metadata names the platform.
type Metadata struct {
	Name string `yaml:"name" json:"name"`
}

// Spec is everything ferry.yaml declares.
type Spec struct {
	// Lanes in promotion order, e.g. develop → staging → main → release.
	Lanes        []Lane        `yaml:"lanes" json:"lanes"`
	Topics       []Topic       `yaml:"topics" json:"topics"`
	Environments []Environment `yaml:"environments" json:"environments"`
	Components   []Component   `yaml:"components" json:"components"`
	Promotions   []Promotion   `yaml:"promotions" json:"promotions"`
	Checks       Checks        `yaml:"checks" json:"checks"`
	Versioning   Versioning    `yaml:"versioning" json:"versioning"`
	Store        StoreConfig   `yaml:"store" json:"store"`
	Remote       string        `yaml:"remote" json:"remote"` // Git remote name lanes are pushed to, default "origin" when it exists
	Security     Security      `yaml:"security" json:"security"`
	Agent        Agent         `yaml:"agent" json:"agent"`
	// Notifications: Slack, signed webhooks, Git host statuses.
	Notifications Notifications `yaml:"notifications" json:"notifications"`
	// Catalog: what ferry catalog writes into the Backstage entities.
	Catalog Catalog `yaml:"catalog" json:"catalog"`
}

// Catalog configures the Backstage entities `ferry catalog` generates.
type Catalog struct {
	// System names the Backstage System of the platform; default metadata.name.
	System string `yaml:"system" json:"system"`
	// Owner is the entity reference of the owner of every entity without
	// its own (a group or user: "platform-team", "group:default/sre").
	Owner string `yaml:"owner" json:"owner"`
	// Lifecycle of every entity without its own (experimental, production,
	// deprecated, …).
	Lifecycle string `yaml:"lifecycle" json:"lifecycle"`
	// Server is ferry serve's URL, written as the ferry.dev/server
	// annotation so a Backstage page can link to the dashboard and API.
	Server string `yaml:"server,omitempty" json:"server,omitempty"`
}

// Agent configures ferry serve.
type Agent struct {
	// PollInterval is how often the agent reads every lane's remote ref
	// (jittered by up to 10%); webhooks make it react sooner.
	PollInterval Duration `yaml:"pollInterval" json:"pollInterval"`
}

// Lane is a long-lived branch that feeds an environment.
type Lane struct {
	Name string `yaml:"name" json:"name"`
	// Protected lanes are moved only by ferry; other commits on them are drift.
	Protected bool `yaml:"protected" json:"protected"`
}

// Topic is a kind of short-lived branch (feature/*, hotfix/*).
type Topic struct {
	Kind      string   `yaml:"kind" json:"kind"`           // feature, hotfix
	Prefix    string   `yaml:"prefix" json:"prefix"`       // "feature/"
	Base      string   `yaml:"base" json:"base"`           // lane it starts from
	MergeInto []string `yaml:"mergeInto" json:"mergeInto"` // lanes it merges into when finished
	// DeleteOnFinish removes the branch after a successful finish.
	DeleteOnFinish bool `yaml:"deleteOnFinish" json:"deleteOnFinish"`
}

// DriftMode says what the reconciler does when live state differs from Git.
type DriftMode string

const (
	DriftDetect DriftMode = "detect"
	DriftHeal   DriftMode = "heal"
)

// Environment is a deployment environment fed by one lane.
type Environment struct {
	Name     string    `yaml:"name" json:"name"`
	Lane     string    `yaml:"lane" json:"lane"`
	AutoSync bool      `yaml:"autoSync" json:"autoSync"`
	Drift    DriftMode `yaml:"drift" json:"drift"`
	// DriftInterval is how often the agent checks for drift.
	DriftInterval Duration `yaml:"driftInterval" json:"driftInterval"`
	// HealthTimeout bounds the wait for Kubernetes objects to become healthy.
	HealthTimeout Duration `yaml:"healthTimeout" json:"healthTimeout"`
	// RollbackOnFailure returns a failed target to its last good revision.
	RollbackOnFailure bool     `yaml:"rollbackOnFailure" json:"rollbackOnFailure"`
	Targets           []Target `yaml:"targets" json:"targets"`
	// Hydrate, when set, has ferry serve keep a branch of the environment's
	// rendered manifests current (ferry hydrate): at each successful
	// deployment, or, with autoSync off, at each move of the lane, for
	// Argo CD or Flux to apply.
	Hydrate *Hydrate `yaml:"hydrate,omitempty" json:"hydrate,omitempty"`
}

// Hydrate names the branch an environment's rendered manifests go to.
type Hydrate struct {
	Branch string `yaml:"branch,omitempty" json:"branch,omitempty"` // default env/<name>
}

// HydrateBranch is the branch e's manifests are hydrated to.
func (e Environment) HydrateBranch() string {
	if e.Hydrate != nil && e.Hydrate.Branch != "" {
		return e.Hydrate.Branch
	}
	return "env/" + e.Name
}

// Target is one place an environment is deployed to: a cluster and/or a
// Terraform workspace, rolled out in Order (lowest first).
type Target struct {
	Name       string           `yaml:"name" json:"name"`
	Cloud      string           `yaml:"cloud" json:"cloud"` // aws, azure, local, …
	Order      int              `yaml:"order" json:"order"`
	Kube       *KubeTarget      `yaml:"kube,omitempty" json:"kube,omitempty"`
	Terraform  *TerraformTarget `yaml:"terraform,omitempty" json:"terraform,omitempty"`
	Components []string         `yaml:"components,omitempty" json:"components,omitempty"` // empty: all components
}

// KubeTarget selects a cluster from a kubeconfig.
type KubeTarget struct {
	Kubeconfig string `yaml:"kubeconfig,omitempty" json:"kubeconfig,omitempty"` // default: $KUBECONFIG / ~/.kube/config
	Context    string `yaml:"context" json:"context"`
}

// TerraformTarget selects a Terraform workspace and backend.
type TerraformTarget struct {
	Workspace string            `yaml:"workspace,omitempty" json:"workspace,omitempty"`
	Backend   string            `yaml:"backend,omitempty" json:"backend,omitempty"` // local, s3, azurerm, pg, …
	Config    map[string]string `yaml:"backendConfig,omitempty" json:"backendConfig,omitempty"`
}

// ComponentType is how a component is deployed.
type ComponentType string

const (
	Terraform ComponentType = "terraform"
	Kustomize ComponentType = "kustomize"
	Helm      ComponentType = "helm"
	Manifests ComponentType = "manifests"
)

// Component is one deployable unit of the platform.
type Component struct {
	Name      string        `yaml:"name" json:"name"`
	Type      ComponentType `yaml:"type" json:"type"`
	Path      string        `yaml:"path" json:"path"`
	Namespace string        `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	DependsOn []string      `yaml:"dependsOn,omitempty" json:"dependsOn,omitempty"`
	// Exports are Terraform outputs handed to the components that depend on this one.
	Exports []string `yaml:"exports,omitempty" json:"exports,omitempty"`
	// Inputs per environment name.
	Inputs map[string]Inputs `yaml:"inputs,omitempty" json:"inputs,omitempty"`
	// Owner and Lifecycle of the component's Backstage entity; default
	// spec.catalog's. Description is its one-line summary.
	Owner       string `yaml:"owner,omitempty" json:"owner,omitempty"`
	Lifecycle   string `yaml:"lifecycle,omitempty" json:"lifecycle,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// Inputs are a component's per-environment inputs.
type Inputs struct {
	// Path overrides the component path for this environment (e.g. a kustomize overlay).
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// VarFiles are Terraform .tfvars files; ValuesFiles are Helm values files.
	VarFiles    []string          `yaml:"varFiles,omitempty" json:"varFiles,omitempty"`
	Vars        map[string]string `yaml:"vars,omitempty" json:"vars,omitempty"`
	ValuesFiles []string          `yaml:"valuesFiles,omitempty" json:"valuesFiles,omitempty"`
	// Skip leaves the component out of this environment.
	Skip bool `yaml:"skip,omitempty" json:"skip,omitempty"`
}

// Promotion configures how a lane is fed and what gates guard it.
type Promotion struct {
	To   string `yaml:"to" json:"to"`     // target lane
	From string `yaml:"from" json:"from"` // source lane
	// Candidate: "head" (the source lane's head) or "verified" (the source
	// revision that the environment Gates.Deployed deployed and verified).
	Candidate string `yaml:"candidate" json:"candidate"`
	Gates     Gates  `yaml:"gates" json:"gates"`
	// Auto lets the agent (ferry serve) make the promotion as soon as its
	// gates pass, exactly as `ferry promote` would. Off by default.
	Auto bool `yaml:"auto" json:"auto"`
}

// Candidate kinds.
const (
	CandidateHead     = "head"
	CandidateVerified = "verified"
)

// Gates must all pass before a promotion happens.
type Gates struct {
	Checks    bool   `yaml:"checks" json:"checks"`       // checks pass on the candidate
	Deployed  string `yaml:"deployed" json:"deployed"`   // env that must have deployed the candidate healthy
	Verified  bool   `yaml:"verified" json:"verified"`   // that deployment's verification passed
	Approvals int    `yaml:"approvals" json:"approvals"` // recorded approvals required
	// Verify: Prometheus queries that must hold through a soak after
	// Deployed's deployment of the candidate (needs Deployed).
	Verify *Verify `yaml:"verify,omitempty" json:"verify,omitempty"`
}

// Severity of a check finding.
type Severity string

const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Checks configures the check pipeline.
type Checks struct {
	FailOn           Severity              `yaml:"failOn" json:"failOn"`
	Rules            map[string]RuleConfig `yaml:"rules,omitempty" json:"rules,omitempty"` // by rule ID
	PolicyDirs       []string              `yaml:"policyDirs,omitempty" json:"policyDirs,omitempty"`
	RequiredTags     []string              `yaml:"requiredTags,omitempty" json:"requiredTags,omitempty"`
	AllowedRegions   []string              `yaml:"allowedRegions,omitempty" json:"allowedRegions,omitempty"`
	AllowedLocations []string              `yaml:"allowedLocations,omitempty" json:"allowedLocations,omitempty"`
	NamingPattern    string                `yaml:"namingPattern,omitempty" json:"namingPattern,omitempty"`
	Exclude          []string              `yaml:"exclude,omitempty" json:"exclude,omitempty"` // path globs not scanned
}

// RuleConfig enables, disables or re-rates one rule. Disabling needs a reason.
type RuleConfig struct {
	Disabled bool     `yaml:"disabled,omitempty" json:"disabled,omitempty"`
	Severity Severity `yaml:"severity,omitempty" json:"severity,omitempty"`
	Reason   string   `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// Versioning configures release tags.
type Versioning struct {
	TagPrefix string `yaml:"tagPrefix" json:"tagPrefix"` // "v"
	Scheme    string `yaml:"scheme" json:"scheme"`       // "semver"
	Changelog string `yaml:"changelog" json:"changelog"` // "CHANGELOG.md"
}

// StoreConfig selects the state store.
type StoreConfig struct {
	// Driver is "sqlite" (default, a file under .ferry/) or "postgres".
	Driver string `yaml:"driver" json:"driver"`
	// DSN for postgres, or the SQLite file path. Never written to output;
	// "${ENV_VAR}" is expanded so credentials stay out of the file.
	DSN string `yaml:"dsn,omitempty" json:"-"`
}

// Security switches risky features on; all are off by default.
type Security struct {
	AllowRemoteBases  bool `yaml:"allowRemoteBases" json:"allowRemoteBases"`
	AllowRemoteCharts bool `yaml:"allowRemoteCharts" json:"allowRemoteCharts"`
	AllowExecPlugins  bool `yaml:"allowExecPlugins" json:"allowExecPlugins"`
}

// Duration is a time.Duration written as "5m" in YAML.
type Duration struct{ time.Duration }
