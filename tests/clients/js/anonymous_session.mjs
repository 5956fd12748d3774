// An anonymous session: getOrCreate, sendEvent, get, and a live subscription that sees an
// event-driven update and a timer-driven one (manual clock advanced through /_emulator).
import {
  advanceClock, apiHost, assert, collector, orgId, run, StateBackedClient, unique,
  waitForUpdate, WebSocket,
} from "./env.mjs";

await run("anonymous_session", async () => {
  const sessionId = unique("session");
  const client = new StateBackedClient(
    { anonymous: { orgId, getSessionId: () => sessionId } },
    { apiHost, WebSocket },
  );
  const name = unique("anon");

  const created = await client.machineInstances.getOrCreate("js-counter", name, {
    context: { note: "made by an anonymous session" },
  });
  assert.equal(created.state, "idle");
  assert.deepEqual(created.publicContext, { count: 0 });
  assert.deepEqual(created.states, ["idle"]);

  // getOrCreate on an existing instance reads it (404 path not taken)
  const again = await client.machineInstances.getOrCreate("js-counter", name, {});
  assert.equal(again.state, "idle");

  const updates = collector();
  const unsubscribe = client.machineInstances.subscribe("js-counter", name, (s) => updates.push(s));
  await waitForUpdate(updates, (s) => s.state === "idle");

  const after = await client.machineInstances.sendEvent("js-counter", name, { event: "inc" });
  assert.deepEqual(after.publicContext, { count: 1 });
  await waitForUpdate(updates, (s) => s.publicContext?.count === 1);

  const read = await client.machineInstances.get("js-counter", name);
  assert.deepEqual(read.publicContext, { count: 1 });

  const armed = await client.machineInstances.sendEvent("js-counter", name, { event: { type: "arm" } });
  assert.equal(armed.state, "armed");
  assert.deepEqual(armed.tags, ["waiting"]);
  await advanceClock(1500);
  const fired = await waitForUpdate(updates, (s) => s.state === "fired");
  assert.equal(fired.done, false);
  for (let i = 1; i < updates.seen.length; i++) {
    assert.ok(updates.seen[i].ts >= updates.seen[i - 1].ts, "ts must not decrease");
  }
  unsubscribe();
});
