// The real @statebacked/client's machineInstances.subscribe against our /rt (API.md §9.4):
// shared socket, two listeners, event- and timer-driven updates, unsubscribe, and the error
// mapping of subscription errors (403 -> RejectedByMachineAuthorizerError, 404 -> NotFoundError,
// bad token -> ApiError 401). Uses the client installed for tests/clients (npm ci there).
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const modules = "../../clients/js/node_modules/";
const { default: WebSocket } = await import(modules + "ws/wrapper.mjs");
const { StateBackedClient, errors } = await import(modules + "@statebacked/client/esm/mod.js");
// @statebacked/token's ES build is not loadable by Node directly; its CommonJS build is.
const { signToken } = createRequire(import.meta.url)(modules + "@statebacked/token");

const apiHost = process.env.SB_URL;
const key = { stateBackedKeyId: process.env.SB_KEY_ID, stateBackedSecretKey: process.env.SB_KEY_SECRET };

async function clientFor(sub) {
  const token = await signToken(key, { sub }, { expires: { in: "1h" } });
  return new StateBackedClient({ token }, { apiHost, WebSocket });
}

function collect() {
  const seen = [];
  const errs = [];
  return {
    seen,
    errs,
    onUpdate: (s) => seen.push(s),
    onError: (e) => errs.push(e),
  };
}

async function until(what, predicate, ms = 5000) {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function advanceClock(ms) {
  const res = await fetch(`${apiHost}/_emulator/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ms }),
  });
  assert.equal(res.status, 200);
}

try {
  const alice = await clientFor("alice");
  await alice.machineInstances.create("door", { slug: "js-door", context: { owner: "alice" } });

  const a = collect();
  const b = collect();
  const stopA = alice.machineInstances.subscribe("door", "js-door", a.onUpdate, a.onError);
  const stopB = alice.machineInstances.subscribe("door", "js-door", b.onUpdate, b.onError);
  await until("both initial states", () => a.seen.length >= 1 && b.seen.length >= 1);
  assert.equal(a.seen[0].state, "closed");
  assert.deepEqual(a.seen[0].states, ["closed"]);
  assert.deepEqual(a.seen[0].publicContext, { opens: 0 });

  await alice.machineInstances.sendEvent("door", "js-door", { event: "open" });
  await until("open", () => a.seen.at(-1).state === "open" && b.seen.at(-1).state === "open");
  await advanceClock(1000);
  await until("timer closes the door", () => a.seen.at(-1).state === "closed" && b.seen.at(-1).state === "closed");

  stopB();
  const bCount = b.seen.length;
  await alice.machineInstances.sendEvent("door", "js-door", { event: "knock" });
  await until("knock", () => a.seen.at(-1).publicContext.knocks === 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(b.seen.length, bCount, "an unsubscribed listener got an update");
  for (let i = 1; i < a.seen.length; i++) assert.ok(a.seen[i].ts >= a.seen[i - 1].ts);

  const nobody = collect();
  (await clientFor("nobody")).machineInstances.subscribe("door", "js-door", nobody.onUpdate, nobody.onError);
  await until("rejection", () => nobody.errs.length === 1);
  assert.ok(nobody.errs[0] instanceof errors.RejectedByMachineAuthorizerError, String(nobody.errs[0]));
  assert.equal(nobody.seen.length, 0);

  const missing = collect();
  alice.machineInstances.subscribe("door", "no-such-door", missing.onUpdate, missing.onError);
  await until("not found", () => missing.errs.length === 1);
  assert.ok(missing.errs[0] instanceof errors.NotFoundError, String(missing.errs[0]));

  const forged = collect();
  new StateBackedClient({ token: "garbage" }, { apiHost, WebSocket })
    .machineInstances.subscribe("door", "js-door", forged.onUpdate, forged.onError);
  await until("401", () => forged.errs.length === 1);
  assert.ok(forged.errs[0] instanceof errors.ApiError);
  assert.equal(forged.errs[0].status, 401);

  const bob = collect();
  (await clientFor("bob")).machineInstances.subscribe("door", "js-door", bob.onUpdate, bob.onError);
  await until("bob's initial state", () => bob.seen.length === 1);
  await alice.machineInstances.sendEvent("door", "js-door", { event: "hide" });
  await until("bob loses read access", () => bob.errs.length === 1);
  assert.ok(bob.errs[0] instanceof errors.RejectedByMachineAuthorizerError);
  assert.equal(bob.seen.length, 1);
  await until("alice still follows", () => a.seen.length >= 1 && a.seen.at(-1).publicContext.knocks === 1);

  stopA();
  console.log(JSON.stringify({ scenario: "realtime_client", ok: true }));
  process.exit(0);
} catch (err) {
  console.error("scenario realtime_client failed:", err);
  process.exit(1);
}
