// A real OpenID Connect provider for Docket's tests: the certified `oidc-provider` package
// (pinned in package.json), on 127.0.0.1. Nothing of it is mocked; only its accounts and its
// clients are the tests' own.
//
//   node tests/oidc_provider/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 0, "clients": [...client metadata...], "accounts": {"sub": {claims}},
//               "keys": [private JWKs, the first signs], "idTokenTTL": 3600}
// The provider listens on 127.0.0.1 (port 0: any free port) and prints one line
// "ready http://127.0.0.1:PORT" when it is listening. Its sign-in page is the package's own
// development page (any password); consent is granted at once, as a council's directory does
// for an application its administrators registered.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};

const server = createServer();
await new Promise((resolve) => { server.listen(config.port || 0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // The e-mail address and name go in the ID token itself (as Entra ID and Google do).
  conformIdTokenClaims: false,
  cookies: { keys: ['docket-test-provider-cookie-key'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: config.idTokenTTL || 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  async findAccount(ctx, sub) {
    const claims = accounts[sub];
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
server.on('request', provider.callback());
process.stdout.write(`ready ${issuer}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { server.close(); process.exit(0); });
