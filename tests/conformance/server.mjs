// An independent RFC 8628 server for ADO Connect's conformance test
// (crates/core/tests/conformance.rs): the `oidc-provider` package from the npm registry
// with its device flow enabled, on loopback, its routes laid out the way ADO Connect
// builds its identity URLs:
//
//   {authority_host}/{tenant}/oauth2/v2.0/devicecode  -> device_authorization
//   {authority_host}/{tenant}/oauth2/v2.0/token       -> token
//
// Everything the grant does is oidc-provider's own behaviour: its device code and user
// code, its `authorization_pending`, its consent, its refresh-token rotation (a used refresh
// token is refused and revokes the grant). The test approves a user code through the
// provider's own pages, as a browser would (approve.mjs).
//
// The only addition is a read-only log of the requests, at GET /__conformance/log, so the
// test can check when the client polled (monotonic milliseconds since the server started).
//
// Usage: node server.mjs [--port N] [--tenant organizations] [--client-id ID]
//                        [--watch-stdin] [--max-seconds N]
// The first line on stdout is the base URL (the `authority_host`); the server then stays
// up until it is killed, until stdin closes (with --watch-stdin), or after --max-seconds.

import http from 'node:http';
import { performance } from 'node:perf_hooks';
import Provider from 'oidc-provider';

function parseArgs(argv) {
  const out = {
    port: 0,
    tenant: 'organizations',
    // ADO Connect's default identity.client_id (crates/core/src/config.rs).
    clientId: '872cd9fa-d31f-45e0-9eab-6e460a02d1f1',
    watchStdin: false,
    maxSeconds: 300,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`${a} needs a value`);
      return argv[i];
    };
    if (a === '--port') out.port = Number(value());
    else if (a === '--tenant') out.tenant = value();
    else if (a === '--client-id') out.clientId = value();
    else if (a === '--watch-stdin') out.watchStdin = true;
    else if (a === '--max-seconds') out.maxSeconds = Number(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) {
    throw new Error('--port must be 0..65535');
  }
  if (!/^[A-Za-z0-9.-]+$/.test(out.tenant)) throw new Error('--tenant: one path segment');
  return out;
}

const args = parseArgs(process.argv.slice(2));
const HOST = '127.0.0.1';

// Listen first (port 0 picks a free one), then build the provider with the real issuer.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(args.port, HOST, resolve);
});
const { port } = server.address();
const base = `http://${HOST}:${port}`;
const t = `/${args.tenant}`;

const log = { started_at: new Date().toISOString(), device_authorizations: [], token_requests: [] };

const provider = new Provider(`${base}${t}/v2.0`, {
  clients: [
    {
      client_id: args.clientId,
      client_name: 'ADO Connect',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
  },
  features: {
    deviceFlow: { enabled: true },
    // The provider's own development login and consent pages: any login is accepted. The
    // test goes through them over HTTP like a browser (approve.mjs).
    devInteractions: { enabled: true },
    revocation: { enabled: true },
  },
  // A refresh token whenever the grant holds offline_access (and the client may refresh).
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  // The library's default rotates every refresh token of a public client; spelled out so
  // that the test's "a used refresh token is refused" is this file's explicit choice.
  rotateRefreshToken: () => true,
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, name: `Conformance ${sub}`, email: `${sub}@example.test` }),
  }),
  cookies: { keys: ['ado-connect-conformance-only'] },
  ttl: {
    DeviceCode: 600,
    AccessToken: 3600,
    IdToken: 3600,
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 600,
    Session: 86400,
  },
  routes: {
    authorization: `${t}/oauth2/v2.0/authorize`,
    device_authorization: `${t}/oauth2/v2.0/devicecode`,
    token: `${t}/oauth2/v2.0/token`,
    code_verification: '/devicelogin',
    jwks: `${t}/discovery/v2.0/keys`,
    userinfo: '/oidc/userinfo',
    revocation: `${t}/oauth2/v2.0/revoke`,
    end_session: `${t}/oauth2/v2.0/logout`,
  },
});

const deviceAuthorizationPath = `${t}/oauth2/v2.0/devicecode`;
const tokenPath = `${t}/oauth2/v2.0/token`;

// Record when each device authorization and token request arrived, and what it answered.
provider.use(async (ctx, next) => {
  const atMs = performance.now();
  await next();
  if (ctx.method !== 'POST') return;
  if (ctx.path === deviceAuthorizationPath) {
    log.device_authorizations.push({ at_ms: atMs, status: ctx.status });
  } else if (ctx.path === tokenPath) {
    const body = ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) ? ctx.body : {};
    log.token_requests.push({
      at_ms: atMs,
      grant_type: ctx.oidc?.params?.grant_type ?? null,
      status: ctx.status,
      error: body.error ?? null,
    });
  }
});

const handle = provider.callback();
server.on('request', (req, res) => {
  if (req.url === '/__conformance/log' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(log));
    return;
  }
  handle(req, res);
});

// The provider prints notices on stdout (console.info) after the URL line: a reader that
// stopped reading after the first line must not bring the server down.
process.stdout.on('error', () => {});
process.stdout.write(`${base}\n`);

const stop = (why) => {
  process.stderr.write(`conformance server: stopping (${why})\n`);
  server.close();
  process.exit(0);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (args.watchStdin) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}
if (args.maxSeconds > 0) {
  setTimeout(() => stop(`--max-seconds ${args.maxSeconds}`), args.maxSeconds * 1000).unref();
}
