// Package testenv is ferry's test harness: it starts the real parts that
// ferry's engines are tested against, on this machine, from inside the tests.
//
// It owns:
//   - locating the tools that hack/setup.sh installs (BinDir, Require,
//     FreePort), skipping a test when a tool is missing and failing it with
//     how to get the tool when CI=true;
//   - a real Kubernetes control plane (StartControlPlane, ControlPlaneFor):
//     etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
//     simulating Nodes, on free loopback ports, so Deployments roll out and
//     become Available;
//   - Git remotes and clones with an isolated per-test identity (GitRemote,
//     GitClone, GitRun, GitCommitFile, GitEnv);
//   - the Terraform binary and an isolated environment for it (TerraformBin,
//     TerraformEnv);
//   - PostgreSQL (postgres*.go, PostgresStop);
//   - Main, the TestMain helper that stops what the package's tests shared.
//
// Typical use in a package's tests:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestSync(t *testing.T) {
//		cp := testenv.ControlPlaneFor(t) // shared by the test binary
//		ns := cp.Namespace(t)            // fresh, deleted after the test
//		// cp.Kubeconfig + cp.Context for code that takes a kubeconfig,
//		// cp.RESTConfig() or cp.Client() for client-go.
//	}
//
// Tools come from `make setup` (hack/setup.sh) into <repo>/bin, or from
// $FERRY_TEST_BIN; etcd, git and terraform may also be on PATH.
//
// It does not own building or installing the tools (hack/setup.sh and the
// hack/tools module do that), fakes of any of these parts, or anything ferry
// itself ships: only _test.go files and hack/devcluster import it.
package testenv
