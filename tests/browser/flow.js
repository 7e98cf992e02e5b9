// candor's browser walk (issue 5), run by tests/browser/run.sh against a live server:
// signup -> verification link read from the Maildir -> login -> export -> delete, in
// Debian's Chromium (/usr/bin/chromium) driven by playwright-core. Also checks that no
// request leaves the test server's origin and that the console shows no CSP violation.
// Environment: CANDOR_ORIGIN (http://127.0.0.1:PORT), CANDOR_MAILDIR (DATA/maildir),
// CANDOR_BACKEND (for messages only).
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const origin = process.env.CANDOR_ORIGIN;
const maildir = process.env.CANDOR_MAILDIR;
const label = 'it_browser.' + (process.env.CANDOR_BACKEND || '?');
if (!origin || !maildir) {
  console.error(label + ': FAIL: CANDOR_ORIGIN and CANDOR_MAILDIR must be set (tests/browser/run.sh sets them)');
  process.exit(1);
}

// A fresh member per run; usernames are a-z 0-9 _ - (3-32 characters).
const suffix = process.pid.toString(36) + Date.now().toString(36).slice(-4);
const username = ('pw_' + suffix).slice(0, 32);
const email = username + '@example.org';
const password = 'Correct horse battery staple ' + suffix;

let step = 0;
function ok(what) {
  step++;
  console.log('ok ' + step + ' - ' + what);
}
class Failure extends Error {}
function check(cond, what) {
  if (!cond) throw new Failure(what);
}

// Body text of the page, whitespace folded, for messages and loose matches.
async function bodyText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
}

function urlPath(page) {
  return new URL(page.url()).pathname;
}

// Clicks the submit control of the form holding `field` and waits for the navigation.
async function submitFormOf(page, field) {
  const form = page.locator('form').filter({ has: page.locator(field) }).first();
  const button = form.locator('button[type=submit], button:not([type]), input[type=submit]').first();
  check(await button.count() === 1, 'the form with ' + field + ' on ' + urlPath(page) + ' has a submit button');
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

// The csrf field every form candor serves to anonymous visitors carries (P19).
async function checkCsrf(page, field) {
  const form = page.locator('form').filter({ has: page.locator(field) }).first();
  const csrf = form.locator('input[type=hidden][name=csrf]');
  check(await csrf.count() === 1, 'the form on ' + urlPath(page) + ' carries one hidden csrf field');
  check((await csrf.inputValue()).length >= 16, 'the csrf field on ' + urlPath(page) + ' holds a token');
}

// Waits up to `ms` for a message in DIR/maildir/new addressed to `to` holding `marker`.
async function readMail(to, marker, ms) {
  const dir = path.join(maildir, 'new');
  const until = Date.now() + ms;
  for (;;) {
    let names = [];
    try {
      names = fs.readdirSync(dir);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    for (const n of names) {
      const text = fs.readFileSync(path.join(dir, n), 'utf8');
      if (text.includes(to) && text.includes(marker)) return text;
    }
    if (Date.now() > until)
      throw new Failure('no message to ' + to + ' holding ' + marker + ' appeared in ' + dir +
        ' within ' + ms / 1000 + ' s (' + names.length + ' other messages there)');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function login(page) {
  await page.goto(origin + '/login');
  await checkCsrf(page, 'input[name=login]');
  await page.fill('input[name=login]', username);
  await page.fill('input[name=password]', password);
  return submitFormOf(page, 'input[name=login]');
}

async function main() {
  const foreign = [];
  const cspViolations = [];
  const pageErrors = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    context.setDefaultTimeout(15000);
    // Nothing may be fetched from another origin: record it, and never let it out.
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (/^https?:/.test(u) && new URL(u).origin !== origin) {
        foreign.push(u);
        return route.abort();
      }
      return route.continue();
    });
    const page = await context.newPage();
    page.on('request', (r) => {
      const u = r.url();
      if (/^(https?|wss?):/.test(u) && new URL(u).origin !== origin && !foreign.includes(u)) foreign.push(u);
    });
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(urlPath(page) + ': ' + m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(urlPath(page) + ': ' + e.message));

    // 1. signup
    let res = await page.goto(origin + '/signup');
    check(res && res.status() === 200, 'GET /signup answers 200 (got ' + (res && res.status()) + ')');
    await checkCsrf(page, 'input[name=username]');
    for (const f of ['username', 'email', 'password'])
      check(await page.locator('input[name=' + f + ']').count() === 1, '/signup has an input named ' + f);
    check(await page.locator('input[type=checkbox][name=accept_policy]').count() === 1,
      '/signup has a checkbox named accept_policy');
    check(await page.locator('a[href="/privacy"]').count() >= 1, '/signup links to /privacy');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.check('input[name=accept_policy]');
    res = await submitFormOf(page, 'input[name=username]');
    let text = await bodyText(page);
    check(res && res.status() === 200, 'the signup form is accepted (status ' + (res && res.status()) + ': ' + text.slice(0, 300) + ')');
    check(/check your email/i.test(text), 'after signup the page says to check your email (it says: ' + text.slice(0, 300) + ')');
    ok('signup as ' + username + ': the page says to check your email');

    // 2. the verification link, from the Maildir
    const mail = await readMail(email, '/verify/', 20000);
    const m = mail.match(/(https?:\/\/[^\s<>"]+\/verify\/[A-Za-z0-9_~.%-]+)/);
    check(m, 'the message holds a /verify/ link: ' + mail.slice(0, 500));
    const link = m[1];
    // run.sh gave the test's site the test server's own origin, so the link is used as is.
    check(link.startsWith(origin + '/verify/'), 'the link is built from the site origin ' + origin + ' (it is ' + link + ')');
    ok('the verification message reached the Maildir with a link on ' + origin);
    res = await page.goto(link);
    text = await bodyText(page);
    if (!/Your email address is confirmed/i.test(text) &&
        await page.locator('main form button[type=submit], main form button:not([type]), main form input[type=submit]').count() >= 1) {
      // a confirmation button (link scanners only GET): press it
      const b = page.locator('main form button[type=submit], main form button:not([type]), main form input[type=submit]').first();
      await Promise.all([page.waitForNavigation(), b.click()]);
      text = await bodyText(page);
    }
    check(/Your email address is confirmed/i.test(text), 'the link confirms the address (the page says: ' + text.slice(0, 300) + ')');
    ok('the link says: Your email address is confirmed');

    // 3. login
    await login(page);
    check(urlPath(page) === '/account', 'signing in lands on /account (it is on ' + page.url() + ': ' + (await bodyText(page)).slice(0, 300) + ')');
    text = await bodyText(page);
    check(text.includes(username), '/account shows the username ' + username);
    const cookies = await context.cookies(origin);
    // plain http here, so the session cookie has no __Host- prefix (web_int.h)
    const session = cookies.filter((c) => c.name === 'candor_session');
    check(session.length === 1, 'the session cookie candor_session is set after login (cookies: ' + cookies.map((c) => c.name).join(', ') + ')');
    check(session[0].httpOnly && session[0].sameSite === 'Lax' && session[0].path === '/',
      'the session cookie is HttpOnly, SameSite=Lax, Path=/ (' + JSON.stringify(session[0]) + ')');
    check(cookies.length <= 3, 'at most three cookies (P18)');
    ok('login via /login lands on /account, which shows ' + username);

    // 4. export: a link or a form on /account, else the address itself
    const trigger = page.locator('a[href$="/account/export"], form[action$="/account/export"] button, form[action$="/account/export"] input[type=submit]').first();
    const downloadP = page.waitForEvent('download');
    if (await trigger.count() === 1) {
      await trigger.click();
    } else {
      await page.goto(origin + '/account/export').catch((e) => {
        if (!/Download is starting/.test(e.message)) throw e;
      });
    }
    const download = await downloadP;
    check(/\.json$/i.test(download.suggestedFilename()), 'the export is a .json file (it is ' + download.suggestedFilename() + ')');
    const exported = fs.readFileSync(await download.path(), 'utf8');
    let data;
    try {
      data = JSON.parse(exported);
    } catch (e) {
      throw new Failure('the export is not JSON: ' + e.message + ': ' + exported.slice(0, 300));
    }
    const flat = JSON.stringify(data).toLowerCase();
    check(flat.includes(username.toLowerCase()), 'the export holds the username');
    check(flat.includes(email.toLowerCase()), 'the export holds the email address');
    ok('/account/export downloads ' + download.suggestedFilename() + ' (' + exported.length + ' bytes) with the username and email');

    // 4b. the access log (issue 5: "see their access log")
    res = await page.goto(origin + '/account/access-log');
    text = await bodyText(page);
    check(res && res.status() === 200 && urlPath(page) === '/account/access-log',
      'GET /account/access-log answers 200 (got ' + (res && res.status()) + ' at ' + page.url() + ')');
    check(/Who read your data/i.test(text), 'the access log is titled "Who read your data" (the page says: ' + text.slice(0, 300) + ')');
    const rows = await page.locator('table.access-log tbody tr').allInnerTexts();
    // the export just made is an entry by the member (it_account checks its details)
    check(rows.some((r) => /^\s*\S.*\bYou\b/.test(r)), 'the access log lists an entry by "You" (rows: ' + JSON.stringify(rows).slice(0, 400) + ')');
    ok('/account/access-log shows who read your data (' + rows.length + ' entries)');

    // 5. delete
    res = await page.goto(origin + '/account/delete');
    check(res && res.status() === 200, 'GET /account/delete answers 200 (got ' + (res && res.status()) + ')');
    const pw = page.locator('form input[type=password][name=password]');
    check(await pw.count() === 1, '/account/delete asks for the password');
    await pw.fill(password);
    await submitFormOf(page, 'input[type=password][name=password]');
    text = await bodyText(page);
    check(/Your account is erased/i.test(text), 'deleting says "Your account is erased" (the page says: ' + text.slice(0, 300) + ')');
    ok('/account/delete with the password: Your account is erased');

    await page.goto(origin + '/account');
    check(urlPath(page) === '/login', '/account after the erasure leads to /login (it is on ' + page.url() + ')');
    const next = page.locator('form input[type=hidden][name=next]');
    check(await next.count() === 1 && await next.inputValue() === '/account',
      'the sign-in form /account led to carries next=/account');
    await login(page);
    check(urlPath(page) !== '/account', 'signing in again with the erased account fails (it reached ' + page.url() + ')');
    const refusal = page.locator('[role=alert]').first();
    check(await refusal.count() === 1, 'the refused sign-in says why (the page says: ' + (await bodyText(page)).slice(0, 300) + ')');
    ok('/account leads to /login, and the old credentials no longer sign in ("' + (await refusal.innerText()).trim() + '")');

    check(foreign.length === 0, 'no request left ' + origin + ': ' + foreign.join(', '));
    ok('no request went to another origin');
    check(cspViolations.length === 0, 'no CSP violation on the console: ' + cspViolations.join(' | '));
    ok('no CSP violation on the console');
    check(pageErrors.length === 0, 'no script error on the pages: ' + pageErrors.join(' | '));
    ok('no script error on the pages');
    await context.close();
  } finally {
    await browser.close();
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
