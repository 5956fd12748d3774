// Token exchange: an admin configures an identity provider (/idps) and a token provider
// (/token-providers); a client holding only the IdP's token gets a State Backed token through
// POST /tokens and its mapped claims reach the authorizers.
import { createHmac } from "node:crypto";
import {
  adminKey, apiHost, assert, adminClient, orgId, run, StateBackedClient, unique, WebSocket,
} from "./env.mjs";

function b64url(buf) {
  return Buffer.from(buf).toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hs256(claims, secret) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify(claims));
  const sig = b64url(createHmac("sha256", secret).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${sig}`;
}

await run("token_exchange", async () => {
  const admin = await adminClient();
  const secret = "my-idp-signing-secret";
  const issuer = `https://${unique("idp")}.example/`;
  await admin.identityProviders.upsert({
    iss: issuer,
    algs: ["HS256"],
    key: b64url(Buffer.from(secret, "utf8")),
    mapping: { "sub.$": "$.sub", "role.$": "$.app.role" },
  });
  const service = unique("svc");
  await admin.tokenProviders.upsert({
    service,
    keyId: adminKey.stateBackedKeyId,
    mapping: { "sub.$": "$.sub", "role.$": "$.role" },
  });
  const idps = await admin.identityProviders.list();
  assert.ok(idps.idps.some((i) => i.iss === issuer));
  const providers = await admin.tokenProviders.list();
  assert.ok(providers.tokenProviders.some((p) => p.service === service));

  const now = Math.floor(Date.now() / 1000);
  const idpToken = hs256({ iss: issuer, sub: "carol", app: { role: "member" }, iat: now, exp: now + 600 }, secret);
  const client = new StateBackedClient(
    { identityProviderToken: () => Promise.resolve(idpToken), orgId, tokenProviderService: service },
    { apiHost, WebSocket },
  );
  const name = unique("exchanged");
  const created = await client.machineInstances.create("js-counter", { slug: name, context: { owner: "carol" } });
  assert.equal(created.state, "idle");
  const sent = await client.machineInstances.sendEvent("js-counter", name, { event: "inc" });
  assert.deepEqual(sent.publicContext, { count: 1 });

  const direct = await admin.tokens.exchange({ orgId, service, token: idpToken });
  assert.equal(typeof direct, "string");

  await admin.tokenProviders.delete(service);
  await admin.identityProviders.delete({ iss: issuer });
});
