// candor's shop walk (issue 9), run by tests/browser/run.sh BACKEND shop.js against a
// live server in Debian's Chromium (playwright-core): a visitor buys a digital product
// (the form asks name and email only) and a physical one (also the postal address),
// each by invoice; each order page shows the exact net, tax and total; the site admin
// gets a notice per order without the customer in it, sees both orders at /admin/shop
// without the customer's details, and opens the physical order's address on request.
// Environment (run.sh sets it): CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA, CANDOR_HOST,
// CANDOR_MAILDIR, CANDOR_BACKEND.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const origin = process.env.CANDOR_ORIGIN;
const bin = process.env.CANDOR_BIN;
const data = process.env.CANDOR_DATA;
const host = process.env.CANDOR_HOST;
const maildir = process.env.CANDOR_MAILDIR;
const label = 'it_shop_browser.' + (process.env.CANDOR_BACKEND || '?');
if (!origin || !bin || !data || !host || !maildir) {
  console.error(label + ': FAIL: CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA, CANDOR_HOST and CANDOR_MAILDIR must be set (tests/browser/run.sh sets them)');
  process.exit(1);
}

let step = 0;
function ok(what) {
  step++;
  console.log('ok ' + step + ' - ' + what);
}
class Failure extends Error {}
function check(cond, what) {
  if (!cond) throw new Failure(what);
}
function fold(s) {
  return s.replace(/\s+/g, ' ').trim();
}
async function bodyText(page) {
  return fold(await page.locator('body').innerText());
}
function urlPath(page) {
  return new URL(page.url()).pathname;
}
function candor(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  check(r.status === 0, 'candor ' + args.slice(0, 2).join(' ') + ' works (' + r.stderr.trim() + ')');
  return r;
}
async function submit(page, button) {
  const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
  return res;
}
// Every message in the Maildir (new/ and cur/) as text.
function mails() {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const d = path.join(maildir, sub);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) out.push(fs.readFileSync(path.join(d, f), 'utf8'));
  }
  return out;
}

const ADMIN = { username: 'sam_shop', email: 'sam.shop@example.org', password: 'Correct horse battery staple sam' };
const BUYER = { name: 'Vera Visitor', email: 'vera@example.net', address: '12 Harbour Road\nPortsmouth PO1 2AB' };

async function buy(page, slug, needAddress) {
  let res = await page.goto(origin + '/shop');
  check(res && res.status() === 200, 'GET /shop answers 200');
  await submit(page, page.locator('a[href="/shop/' + slug + '"]'));
  check(urlPath(page) === '/shop/' + slug, 'the shop links to ' + slug);
  const form = page.locator('form[action="/shop/' + slug + '"]');
  check(await form.locator('input[name=csrf]').count() === 1, 'the checkout carries the csrf field');
  check(await form.locator('input[name=key]').count() === 1, 'the checkout carries an idempotency key');
  check(await form.locator('[name=address]').count() === (needAddress ? 1 : 0),
    slug + (needAddress ? ' asks' : ' does not ask') + ' for a postal address');
  check(await form.locator('[name=date]').count() === 0, slug + ' does not ask for a date');
  await page.fill('input[name=name]', BUYER.name);
  await page.fill('input[name=email]', BUYER.email);
  if (needAddress) await page.fill('textarea[name=address]', BUYER.address);
  await submit(page, form.locator('button[type=submit]'));
  check(urlPath(page).startsWith('/shop/order/'), 'placing the order leads to its page (it is on ' + page.url() + ': ' + (await bodyText(page)).slice(0, 200) + ')');
  return fold(await page.locator('h1').innerText()).replace('Order ', '');
}

async function main() {
  const tmp = fs.mkdtempSync('/tmp/candor-shop-');
  const errors = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  try {
    const pw = path.join(tmp, 'admin.pw');
    fs.writeFileSync(pw, ADMIN.password + '\n');
    candor(['user', 'add', '--data', data, '--username', ADMIN.username, '--email', ADMIN.email, '--role', 'member', '--password-file', pw]);
    candor(['user', 'role', '--data', data, '--username', ADMIN.username, '--site', host, '--grant', 'admin']);
    candor(['product', 'add', '--data', data, '--site', host, '--title', 'Film licence', '--price', '125000', '--currency', 'EUR', '--kind', 'digital']);
    candor(['product', 'add', '--data', data, '--site', host, '--title', 'Poster', '--price', '1999', '--currency', 'EUR', '--kind', 'physical']);
    candor(['shop', 'vat', '--data', data, '--site', host, '--bp', '2000']);

    const opts = { viewport: { width: 1000, height: 700 } };
    const visitorCtx = await browser.newContext(opts);
    const adminCtx = await browser.newContext(opts);
    visitorCtx.setDefaultTimeout(15000);
    adminCtx.setDefaultTimeout(15000);
    const visitor = await visitorCtx.newPage();
    const admin = await adminCtx.newPage();
    for (const [who, p] of [['visitor', visitor], ['admin', admin]]) {
      p.on('pageerror', (e) => errors.push(who + ' ' + urlPath(p) + ': ' + e.message));
      p.on('console', (m) => {
        if (m.type() === 'error') errors.push(who + ' ' + urlPath(p) + ': console: ' + m.text());
      });
    }

    // 1. a digital product: name and email only
    const ref1 = await buy(visitor, 'film-licence', false);
    let text = await bodyText(visitor);
    check(text.includes('Net 1250.00 EUR') && text.includes('Tax at 20 % 250.00 EUR') && text.includes('Total 1500.00 EUR'),
      'the digital order shows net, tax and total exactly (' + text.slice(0, 400) + ')');
    check(text.includes('awaiting payment') && text.includes('reference ' + ref1), 'it waits for a transfer with its reference');
    check(!text.includes(BUYER.email) && !text.includes(BUYER.name), 'the order page shows no personal data');
    ok('a visitor buys the digital product: order ' + ref1 + ', 1500.00 EUR');

    // 2. a physical product: also the postal address
    const ref2 = await buy(visitor, 'poster', true);
    text = await bodyText(visitor);
    check(text.includes('Net 19.99 EUR') && text.includes('Tax at 20 % 4.00 EUR') && text.includes('Total 23.99 EUR'),
      'the physical order shows net, tax (3.998 rounded half-up) and total (' + text.slice(0, 400) + ')');
    ok('a visitor buys the physical product: order ' + ref2 + ', 23.99 EUR');

    // 3. the site admin: a notice per order, without the customer
    let notices = [];
    for (let i = 0; i < 100 && notices.length < 2; i++) {
      notices = mails().filter((m) => m.includes('New order') && m.includes(ADMIN.email));
      if (notices.length < 2) await visitor.waitForTimeout(200);
    }
    check(notices.length === 2, 'the site admin got one notice per order (' + notices.length + ')');
    check(notices.every((m) => !m.includes(BUYER.email) && !m.includes('Vera') && !m.includes('Harbour')), 'the notices name no customer');
    check(notices.some((m) => m.includes(ref1)) && notices.some((m) => m.includes(ref2)), 'the notices name the orders');
    ok('the site admin was told of both orders, without the customer');

    // 4. /admin/shop lists both, customer details only on request
    await admin.goto(origin + '/login');
    await admin.fill('input[name=login]', ADMIN.username);
    await admin.fill('input[name=password]', ADMIN.password);
    await submit(admin, admin.locator('form:has(input[name=login]) button[type=submit]').first());
    let res = await admin.goto(origin + '/admin/shop');
    check(res && res.status() === 200, 'GET /admin/shop answers 200 for the site admin (got ' + (res && res.status()) + ')');
    text = await bodyText(admin);
    check(text.includes(ref1) && text.includes(ref2) && text.includes('1500.00 EUR') && text.includes('23.99 EUR'), 'the orders list shows both orders with their totals');
    check(!text.includes(BUYER.email) && !text.includes('Harbour'), 'the list shows no customer details');
    await submit(admin, admin.locator('a', { hasText: ref2 }));
    await submit(admin, admin.locator('form[action$="/reveal"] button[type=submit]'));
    text = await bodyText(admin);
    check(text.includes('12 Harbour Road') && text.includes(BUYER.email) && text.includes(BUYER.name), 'on request the admin sees the address to ship to (' + text.slice(0, 400) + ')');
    ok('/admin/shop lists both orders; the poster\'s address is shown on request');

    check(errors.length === 0, 'no script error or CSP violation on the pages: ' + errors.join(' | '));
    ok('no script error or CSP violation on the pages');
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const timer = setTimeout(() => {
  console.error(label + ': FAIL: the walk took longer than 100 s');
  process.exit(1);
}, 100000);
main().then(
  () => {
    clearTimeout(timer);
    console.log(step + ' passed, 0 failed');
  },
  (e) => {
    clearTimeout(timer);
    console.error(label + ': FAIL at step ' + (step + 1) + ': ' + (e instanceof Failure ? e.message : e.stack || e));
    console.log(step + ' passed, 1 failed');
    process.exit(1);
  },
);
