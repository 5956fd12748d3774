// Shared set-up for the scenario scripts: where the live sb-emulator is and how to reach it.
// pytest (tests/clients/test_js_client.py) starts a real `sb-emulator` process and passes
// these in the environment. The client is used unmodified: only `apiHost` points at us.
import assert from "node:assert/strict";
import WebSocket from "ws";
import { StateBackedClient, errors } from "@statebacked/client";
import { signToken } from "@statebacked/token";

export { assert, errors, signToken, StateBackedClient, WebSocket };

export const apiHost = process.env.SB_URL;
export const orgId = process.env.SB_ORG_ID;
export const adminKey = {
  stateBackedKeyId: process.env.SB_KEY_ID,
  stateBackedSecretKey: process.env.SB_KEY_SECRET,
};

if (!apiHost || !orgId || !adminKey.stateBackedKeyId) {
  throw new Error("SB_URL, SB_ORG_ID, SB_KEY_ID and SB_KEY_SECRET must be set");
}

export async function tokenFor(claims) {
  return signToken(adminKey, claims, { expires: { in: "1h" }, issuer: "sb-emulator-tests" });
}

// The client's constructor takes the token configuration first, then its options.
export function clientWithToken(token, extra = {}) {
  return new StateBackedClient({ token }, { apiHost, WebSocket, ...extra });
}

export async function adminClient() {
  return clientWithToken(await tokenFor({ sub: "admin" }));
}

export async function advanceClock(ms) {
  const res = await fetch(`${apiHost}/_emulator/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ms }),
  });
  assert.equal(res.status, 200, `clock advance failed: ${await res.text()}`);
}

// Resolves with the first update satisfying `predicate`, rejects after `ms`.
export function waitForUpdate(updates, predicate, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching update within ${ms} ms; saw ${JSON.stringify(updates.seen)}`)),
      ms,
    );
    updates.waiters.push((state) => {
      if (predicate(state)) {
        clearTimeout(timer);
        resolve(state);
        return true;
      }
      return false;
    });
    for (const state of updates.seen) {
      if (updates.waiters.length && updates.waiters[updates.waiters.length - 1](state)) {
        updates.waiters.pop();
        break;
      }
    }
  });
}

export function collector() {
  const updates = { seen: [], waiters: [] };
  updates.push = (state) => {
    updates.seen.push(state);
    updates.waiters = updates.waiters.filter((w) => !w(state));
  };
  return updates;
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function run(name, body) {
  try {
    await body();
    console.log(JSON.stringify({ scenario: name, ok: true }));
    process.exit(0);
  } catch (err) {
    console.error(`scenario ${name} failed:`, err);
    process.exit(1);
  }
}
