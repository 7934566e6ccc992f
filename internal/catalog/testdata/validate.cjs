// validate.cjs: checks Backstage entities with Backstage's own validators,
// the way the catalog backend does when it ingests a location: the entity
// policies (default namespace, field formats, no foreign root fields, the
// envelope/entity JSON schema), then the kind's own validator (System,
// Component, Resource, … from @backstage/catalog-model; Template from
// @backstage/plugin-scaffolder-common). An entity no validator claims is
// invalid (Backstage would refuse its kind).
//
// usage: node validate.cjs CATALOG_MODEL_DIR SCAFFOLDER_COMMON_DIR < entities.json
// stdin: a JSON array of entities; stdout: a JSON array of
// {kind, name, ok, error} in the same order. Exit 0 unless it could not run.
'use strict';
const [modelDir, scaffolderDir] = process.argv.slice(2);
const cm = require(modelDir);
const sc = require(scaffolderDir);

const policy = cm.EntityPolicies.allOf([
  new cm.DefaultNamespaceEntityPolicy(),
  new cm.NoForeignRootFieldsEntityPolicy(),
  new cm.FieldFormatEntityPolicy(),
  new cm.SchemaValidEntityPolicy(),
]);
const kindValidators = [
  cm.apiEntityV1alpha1Validator,
  cm.componentEntityV1alpha1Validator,
  cm.domainEntityV1alpha1Validator,
  cm.groupEntityV1alpha1Validator,
  cm.locationEntityV1alpha1Validator,
  cm.resourceEntityV1alpha1Validator,
  cm.systemEntityV1alpha1Validator,
  cm.userEntityV1alpha1Validator,
  sc.templateEntityV1beta3Validator,
];

async function check(entity) {
  const out = await policy.enforce(entity);
  if (!out) throw new Error('rejected by the entity policies');
  for (const v of kindValidators) {
    if (await v.check(out)) return;
  }
  throw new Error(`no validator accepts ${out.apiVersion} ${out.kind}`);
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const entities = JSON.parse(input);
  const results = [];
  for (const e of entities) {
    const r = {kind: e && e.kind, name: e && e.metadata && e.metadata.name, ok: true};
    try {
      await check(e);
    } catch (err) {
      r.ok = false;
      r.error = String(err && err.message || err);
    }
    results.push(r);
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch(err => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(2);
});
