// A real OpenID provider (the certified `oidc-provider` package) on loopback, for the tests only.
//
// Reads its clients and accounts as JSON from the OIDC_TEST_CONFIG environment variable, listens on
// 127.0.0.1 at a free port, and prints one line of JSON ({"issuer": ...}) once it answers. Its own
// small sign-in page stands in for a force's (Entra ID's) page: any password is accepted, and a
// tick box says whether the person used a second factor, which sets the ID token's amr and acr.
import http from 'node:http';
import { once } from 'node:events';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const accounts = config.accounts || {};

const server = http.createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients || [],
  cookies: { keys: ['loopback-test-cookie-key'] },
  claims: {
    acr: null,
    amr: null,
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'roles'],
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  // First-party clients only: the grant is given without a consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(uid, message = '') {
  return `<!DOCTYPE html><html lang="en"><head><title>Test identity provider</title></head><body><main>
<h1>Test identity provider</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<input id="mfa" name="mfa" type="checkbox" value="1"> <label for="mfa">I used my second factor</label>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const handle = provider.callback();
server.on('request', async (req, res) => {
  try {
    const match = req.url.match(/^\/interaction\/([^/?]+)/);
    if (!match) return handle(req, res);
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid));
    }
    const form = await readForm(req);
    const accountId = form.get('login') || '';
    if (!accounts[accountId]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid, 'No such account at this provider.'));
    }
    const mfa = form.get('mfa') === '1';
    const login = { accountId, amr: mfa ? ['pwd', 'mfa'] : ['pwd'] };
    if (mfa) login.acr = 'urn:test:mfa';
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return res.end(String(error));
  }
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
