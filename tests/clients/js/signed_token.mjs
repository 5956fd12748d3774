// A key-signed token from @statebacked/token whose act claims the machine's authorizers read,
// and the error mapping: 403 rejected-by-machine-authorizer and 409 on create surface as the
// client's own error classes; 404 as NotFoundError.
import { assert, clientWithToken, errors, run, tokenFor, unique } from "./env.mjs";

await run("signed_token", async () => {
  const alice = clientWithToken(await tokenFor({ sub: "alice", role: "member" }));
  const bob = clientWithToken(await tokenFor({ sub: "bob" }));
  const banned = clientWithToken(await tokenFor({ sub: "eve", role: "banned" }));
  const name = unique("owned");

  const created = await alice.machineInstances.create("js-counter", {
    slug: name,
    context: { owner: "alice" },
  });
  assert.equal(created.state, "idle");

  await assert.rejects(
    alice.machineInstances.create("js-counter", { slug: name, context: { owner: "alice" } }),
    (err) => err instanceof errors.ConflictError,
  );
  await assert.rejects(
    bob.machineInstances.sendEvent("js-counter", name, { event: "inc" }),
    (err) => err instanceof errors.RejectedByMachineAuthorizerError,
  );
  await assert.rejects(
    banned.machineInstances.get("js-counter", name),
    (err) => err instanceof errors.RejectedByMachineAuthorizerError,
  );
  await assert.rejects(
    banned.machineInstances.create("js-counter", { slug: unique("nope") }),
    (err) => err instanceof errors.RejectedByMachineAuthorizerError,
  );
  await assert.rejects(
    alice.machineInstances.get("js-counter", unique("missing")),
    (err) => err instanceof errors.NotFoundError,
  );
  const sent = await alice.machineInstances.sendEvent("js-counter", name, { event: "inc" });
  assert.deepEqual(sent.publicContext, { count: 1 });
  // bob may read (allowRead only refuses banned users) and sees alice's count
  const seen = await bob.machineInstances.get("js-counter", name);
  assert.deepEqual(seen.publicContext, { count: 1 });
});
