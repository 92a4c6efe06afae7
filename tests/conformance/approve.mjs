// A person at a browser, for the conformance test: opens the verification page that the
// device authorization named, types the user code, confirms, signs in and consents on
// oidc-provider's own pages, over HTTP, keeping cookies and following redirects by hand
// like a browser would. Nothing is shortcut: the provider decides every step.
//
// Usage: node approve.mjs VERIFICATION_URI USER_CODE [--login NAME] [--decline]
// --decline clicks "[ Abort ]" on the confirmation page instead (RFC 8628 access_denied).
// Exits 0 when the provider shows its success page (or, with --decline, its "interrupted"
// page); otherwise prints the last page to stderr and exits 1.

const [verificationUri, userCode, ...rest] = process.argv.slice(2);
if (!verificationUri || !userCode) {
  process.stderr.write('usage: node approve.mjs VERIFICATION_URI USER_CODE [--login NAME] [--decline]\n');
  process.exit(2);
}
let login = 'morgan.lee';
let decline = false;
for (let i = 0; i < rest.length; i += 1) {
  if (rest[i] === '--login') { i += 1; login = rest[i]; } else if (rest[i] === '--decline') decline = true;
  else { process.stderr.write(`unknown argument ${rest[i]}\n`); process.exit(2); }
}

const origin = new URL(verificationUri).origin;
if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(origin)) {
  process.stderr.write(`refusing a non-loopback verification URI: ${origin}\n`);
  process.exit(2);
}

// A cookie jar keyed by name and path, honouring Path and Max-Age/Expires deletions.
const jar = new Map();
function storeCookies(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const a of attrs) {
      const [k, v = ''] = a.split('=');
      const key = k.toLowerCase();
      if (key === 'path') path = v || '/';
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    const id = `${name}\u0000${path}`;
    if (expired) jar.delete(id);
    else jar.set(id, { name, value, path });
  }
}
function cookieHeader(url) {
  const { pathname } = new URL(url);
  return [...jar.values()]
    .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
    .sort((a, b) => b.path.length - a.path.length)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

const steps = [];
// One navigation: the request, then every redirect (GET) until a page comes back.
async function navigate(url, init = {}) {
  let current = url;
  let method = init.method ?? 'GET';
  let body = init.body;
  for (let hop = 0; hop < 15; hop += 1) {
    if (new URL(current).origin !== origin) throw new Error(`left the provider: ${current}`);
    const headers = { 'user-agent': 'ado-connect-conformance-browser' };
    const cookies = cookieHeader(current);
    if (cookies) headers.cookie = cookies;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(current, { method, headers, body, redirect: 'manual' });
    storeCookies(res);
    steps.push(`${method} ${new URL(current).pathname} -> ${res.status}`);
    if (res.status >= 300 && res.status < 400) {
      current = new URL(res.headers.get('location'), current).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    return { url: current, status: res.status, html: await res.text() };
  }
  throw new Error('too many redirects');
}

const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`, 'i'));
  return m ? decode(m[1]) : undefined;
};

// The first form on the page: its action and its inputs' names and values.
function firstForm(page) {
  const m = page.html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/i);
  if (!m) return undefined;
  const tag = m[0].slice(0, m[0].indexOf('>') + 1);
  const fields = new Map();
  for (const input of m[1].match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name) fields.set(name, attr(input, 'value') ?? '');
  }
  return { id: attr(tag, 'id'), action: new URL(attr(tag, 'action') ?? page.url, page.url).href, fields };
}

function submit(form) {
  return navigate(form.action, { method: 'POST', body: new URLSearchParams([...form.fields]).toString() });
}

function fail(why, page) {
  process.stderr.write(`approve.mjs: ${why}\nsteps:\n  ${steps.join('\n  ')}\n`);
  if (page) process.stderr.write(`last page (${page.status} ${page.url}):\n${page.html.slice(0, 4000)}\n`);
  process.exit(1);
}

let page = await navigate(verificationUri);
for (let round = 0; round < 10; round += 1) {
  if (/<title>Sign-in Success<\/title>/.test(page.html)) {
    if (decline) fail('declining, yet the provider reported success', page);
    process.stdout.write(`${JSON.stringify({ result: 'approved', steps })}\n`);
    process.exit(0);
  }
  if (decline && /The Sign-in request was interrupted/.test(page.html)) {
    process.stdout.write(`${JSON.stringify({ result: 'declined', steps })}\n`);
    process.exit(0);
  }
  const form = firstForm(page);
  if (!form) fail('no form on the page', page);
  if (form.id === 'op.deviceInputForm') {
    // Type the code as a person would.
    form.fields.set('user_code', userCode);
  } else if (form.id === 'op.deviceConfirmForm') {
    // "Continue", or the "[ Abort ]" button (name=abort value=yes, outside the form).
    if (decline) form.fields.set('abort', 'yes');
  } else if (form.fields.get('prompt') === 'login') {
    form.fields.set('login', login);
    form.fields.set('password', 'any password');
  } else if (form.fields.get('prompt') === 'consent') {
    // The consent form needs no input: "Continue".
  } else {
    fail('a page this browser does not know', page);
  }
  page = await submit(form);
  if (page.status >= 400 && !/interrupted/.test(page.html)) fail(`HTTP ${page.status}`, page);
}
fail('no success page after 10 forms', page);
