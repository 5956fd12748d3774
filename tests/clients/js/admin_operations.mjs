// Administrative calls of the real client: machines create/list/get, versions (the real
// three-step upload flow with a YAML definition as the code), instance list / admin state /
// delete, an index query (0.1.37 has no query method: call the endpoint with the client's
// token), logs, and the JavaScript-upload refusal.
import { readFile } from "node:fs/promises";
import { adminClient, apiHost, assert, errors, run, tokenFor, unique } from "./env.mjs";

const YAML_DEFINITION = new URL("../../../fixtures/machines/toggler.yaml", import.meta.url);

await run("admin_operations", async () => {
  const admin = await adminClient();
  const machineName = unique("uploaded");
  await admin.machines.create(machineName); // 0.1.37 sends {slug} only
  const listed = await admin.machines.list();
  assert.ok(listed.machines.some((m) => m.slug === machineName));
  const fresh = await admin.machines.get(machineName);
  assert.deepEqual(fresh.machine.indexes, []);
  assert.equal(fresh.machine.currentVersion, undefined);

  // version creation through the client's real upload flow, plain and gzipped
  const yaml = (await readFile(YAML_DEFINITION, "utf8")).replace(/^name:.*$/m, `name: ${machineName}`);
  const { machineVersionId: versionId } = await admin.machineVersions.create(machineName, {
    code: yaml,
    clientInfo: "1.0.0",
    makeCurrent: true,
  });
  assert.match(versionId, /^ver_/);
  const { gzipSync } = await import("node:zlib");
  const { machineVersionId: gzVersion } = await admin.machineVersions.create(machineName, {
    gzippedCode: gzipSync(Buffer.from(yaml, "utf8")),
    clientInfo: "1.0.1",
  });
  assert.match(gzVersion, /^ver_/);
  const versions = await admin.machineVersions.list(machineName);
  assert.deepEqual(versions.versions.map((v) => v.clientInfo).sort(), ["1.0.0", "1.0.1"]);
  const got = await admin.machines.get(machineName);
  assert.equal((got.machine ?? got).currentVersion.id, versionId);

  await assert.rejects(
    admin.machineVersions.create(machineName, { code: "export default createMachine({});" }),
    (err) => err instanceof errors.ClientError && /JavaScript/i.test(err.message + String(err.code)),
  );

  // instances: create a few, list, admin state, delete one
  for (const owner of ["ann", "bea"]) {
    await admin.machineInstances.create(machineName, { slug: `inst-${owner}`, context: { owner } });
  }
  const instances = await admin.machineInstances.list(machineName);
  assert.deepEqual(instances.instances.map((i) => i.slug).sort(), ["inst-ann", "inst-bea"]);
  const adminState = await admin.machineInstances.admin.get(machineName, "inst-ann");
  assert.equal(adminState.context.owner, "ann");
  assert.equal(adminState.status, "running");
  assert.equal(adminState.machineVersion.id, versionId);

  // index query: 0.1.37 has no query method, so call the endpoint with the client's token
  const owner = unique("owner");
  await admin.machineInstances.create("js-counter", { slug: unique("indexed"), context: { owner } });
  const token = await tokenFor({ sub: "admin" });
  const query = await fetch(
    `${apiHost}/machines/js-counter/indexes/owner/query?op=eq&value=${owner}`,
    { headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
  );
  assert.equal(query.status, 200);
  const found = (await query.json()).instances;
  assert.equal(found.length, 1);
  assert.equal(found[0].indexValue, owner);

  await admin.machineInstances.dangerously.delete(machineName, "inst-bea", {
    dangerDataWillBeDeletedForever: true,
  });
  await assert.rejects(
    admin.machineInstances.get(machineName, "inst-bea"),
    (err) => err instanceof errors.NotFoundError,
  );

  const transitions = await admin.machineInstances.listTransitions(machineName, "inst-ann");
  assert.ok(transitions.transitions.length >= 1);

  const logs = await admin.logs.retrieve(new Date(Date.now() - 3600_000));
  assert.ok(Array.isArray(logs.logs));
  assert.equal(typeof logs.maxTimestamp, "string");

  await admin.machines.dangerously.delete(machineName, { dangerDataWillBeDeletedForever: true })
    .then(
      () => assert.fail("deleting a machine with instances must fail"),
      (err) => assert.ok(err instanceof errors.ConflictError),
    );
});
