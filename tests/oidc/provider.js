// An OpenID Connect provider for the test suite: oidc-provider (OpenID certified), run on loopback.
// Started by tests/oidc/server.py; everything comes from the environment:
//   OIDC_PORT     the loopback port to listen on
//   OIDC_ISSUER   the issuer identifier (defaults to http://127.0.0.1:PORT)
//   OIDC_CLIENTS  JSON list of client metadata (client_id, client_secret, redirect_uris, ...)
//   OIDC_ACCOUNTS_FILE a JSON file {login: {claims}}: the claims of each account, read at each use, so a
//                 test can change them (an address changed at the provider); an unknown login gets
//                 {email: LOGIN@example.test, email_verified: false}
//   OIDC_JWKS     optional JSON {keys: [...]} private signing keys, so a test can sign tokens with them too
// The devInteractions login form accepts any login and password: the login names the account.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(readFileSync(process.env.OIDC_ACCOUNTS_FILE, 'utf8'));

const configuration = {
  clients: JSON.parse(process.env.OIDC_CLIENTS || '[]'),
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale', 'zoneinfo'],
  },
  cookies: { keys: ['govchallenge-test-oidc-provider'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const claims = accounts()[id] || { email: `${id}@example.test`, email_verified: false };
        return { ...claims, sub: id };
      },
    };
  },
};
if (process.env.OIDC_JWKS) configuration.jwks = JSON.parse(process.env.OIDC_JWKS);

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => { console.log(`oidc-provider listening on ${issuer}`); });
