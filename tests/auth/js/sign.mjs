// Reads {keyId, secret, act, expiresAt, issuer?} as JSON on stdin, prints the token
// @statebacked/token's signToken mints for it.
import { signToken } from "@statebacked/token";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { keyId, secret, act, expiresAt, issuer } = JSON.parse(input);
const token = await signToken(
  { stateBackedKeyId: keyId, stateBackedSecretKey: secret },
  act,
  { expires: { at: expiresAt }, ...(issuer ? { issuer } : {}) },
);
process.stdout.write(token);
