// candor's XSS test (issue 6, item 6), run by tests/browser/run.sh BACKEND xss.js PART
// against a live server. Part content: every payload of tests/xss/payloads.txt goes into
// post titles and bodies (the admin editor), then the pages that show them (home and its
// pages, each post, the Atom feed) are rendered in Debian's Chromium (playwright-core),
// and every payload is a search query, and the search results show them.
// Part comments: every payload as a commenter's name and as comment text (the form), then
// the refusals, the moderation queue, the post with the approved comments, the home page
// and the comment feed; and every payload as a post's title and text in the admin editor.
// Nothing may run: a
// payload that executed calls window.__xss(N) or opens a dialog, both recorded; the page
// must show no script error and hold no injected element or attribute (event handler,
// script, frame, javascript:/data:/vbscript: link). And each payload must be there as
// text, found by its frame "Q<N>a ... Q<N>z", so a page that renders nothing cannot pass.
// The browser runs with the Content-Security-Policy bypassed: the policy would stop
// inline scripts anyway, and this test is about the escaping under it.
// Environment (run.sh sets it): CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA, CANDOR_HOST,
// CANDOR_BACKEND.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { chromium } = require('playwright-core');
const corpusLib = require('./corpus');

const origin = process.env.CANDOR_ORIGIN;
const bin = process.env.CANDOR_BIN;
const data = process.env.CANDOR_DATA;
const host = process.env.CANDOR_HOST;
const part = process.argv[2] || '';
const label = 'it_xss_' + part + '.' + (process.env.CANDOR_BACKEND || '?');
if (part !== 'content' && part !== 'comments') {
  console.error(label + ': FAIL: the part to run is content or comments (run.sh BACKEND xss.js PART)');
  process.exit(1);
}
if (!origin || !bin || !data || !host) {
  console.error(label + ': FAIL: CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA and CANDOR_HOST must be set (tests/browser/run.sh sets them)');
  process.exit(1);
}

let step = 0;
const t0 = Date.now();
function ok(what) {
  step++;
  console.log('ok ' + step + ' - ' + what + ' [' + ((Date.now() - t0) / 1000).toFixed(0) + ' s]');
}
class Failure extends Error {}
function check(cond, what) {
  if (!cond) throw new Failure(what);
}

// The limits of src/core/limits.h the fields are held to (characters, bytes for bodies).
const LIMIT_TITLE = 200;
const LIMIT_BODY_MARKDOWN = 512 * 1024;

const corpus = corpusLib.load(path.join(__dirname, '..', 'xss', 'payloads.txt'));
check(corpus.length >= 100, 'the corpus holds at least 100 payloads (it holds ' + corpus.length + ')');

// ---------------------------------------------------------------- the browser's watch ----

// One browser context for the whole run, with the marker, dialogs, script errors and
// foreign requests recorded against the page they happened on.
async function openBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1000, height: 700 } });
  context.setDefaultTimeout(15000);
  const watch = { hits: [], dialogs: [], errors: [], foreign: [], where: '' };
  await context.exposeFunction('__xssReport', (n) => watch.hits.push(watch.where + ': payload ' + n));
  await context.addInitScript(() => {
    window.__xss = function (n) {
      window.__xssReport(String(n));
    };
  });
  // only other origins are intercepted (and never let out); the server's own requests
  // go straight through
  await context.route((u) => /^(https?|wss?):/.test(u.href) && u.origin !== origin, (route) => {
    watch.foreign.push(watch.where + ': ' + route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    watch.dialogs.push(watch.where + ': ' + d.type() + ' "' + d.message() + '"');
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => watch.errors.push(watch.where + ': ' + e.message));
  page.on('console', (m) => {
    // a markdown image of a payload (![x](x...)) is a real image that is not there;
    // any other console error is a script the page did not mean to run.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
      watch.errors.push(watch.where + ': console: ' + m.text());
  });
  return { browser, context, page, watch };
}

// How long a page is given after its load event for handlers that fire late (autofocus,
// ontoggle, SVG animations) before the watch is read. An injected element or attribute is
// caught in the DOM whether or not it ran.
const SETTLE_MS = 30;

// What no candor page may hold, whatever it shows: checked in the live DOM.
function domFindings() {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'srcdoc'];
  const banned = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'BASE', 'APPLET', 'MATH',
    'FOREIGNOBJECT', 'ANIMATE', 'SET', 'ANIMATETRANSFORM', 'ANIMATEMOTION', 'TEMPLATE', 'STYLE', 'LINK',
    'ISINDEX', 'MARQUEE', 'AUDIO', 'VIDEO', 'SOURCE']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toUpperCase();
    if (banned.has(tag)) {
      // the page's own stylesheet and scripts from its own origin are candor's
      const own = (tag === 'LINK' && el.closest('head') && /^\/[^/]/.test(el.getAttribute('href') || '')) ||
        (tag === 'SCRIPT' && /^\/static\//.test(el.getAttribute('src') || ''));
      if (!own) bad.push('<' + el.tagName.toLowerCase() + '> element');
    }
    if (tag === 'META' && el.hasAttribute('http-equiv')) bad.push('<meta http-equiv> element');
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) bad.push(name + '= on <' + el.tagName.toLowerCase() + '>');
      if (name === 'style') bad.push('style= on <' + el.tagName.toLowerCase() + '>');
      if (urlAttrs.includes(name)) {
        const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript):/.test(v) || (/^data:/.test(v) && !(tag === 'IMG' && /^data:image\/(png|gif|jpeg|webp)/.test(v))))
          bad.push(name + '="' + a.value.slice(0, 60) + '" on <' + el.tagName.toLowerCase() + '>');
      }
    }
  }
  return bad;
}

// Loads url, waits for the page to settle (autofocus, onload, animations), then checks
// the watch and the DOM. Returns the body's visible text, whitespace folded.
async function render(b, url, what) {
  b.watch.where = what;
  const res = await b.page.goto(url);
  check(res && res.status() === 200, what + ': GET ' + url + ' answers 200 (got ' + (res && res.status()) + ')');
  await b.page.waitForLoadState('load');
  await b.page.waitForTimeout(SETTLE_MS);
  const r = await b.page.evaluate(PAGE_STATE);
  check(r.findings.length === 0, what + ': the page holds injected markup: ' + r.findings.slice(0, 10).join(', '));
  checkWatch(b, what);
  b.title = r.title;
  return fold(r.text);
}

// domFindings and the body's visible text, in one round trip to the browser.
const PAGE_STATE = '({ findings: (' + domFindings.toString() + ')(), text: document.body.innerText, title: document.title })';

function checkWatch(b, what) {
  const w = b.watch;
  check(w.hits.length === 0, what + ': a payload ran: ' + w.hits.join(' | '));
  check(w.dialogs.length === 0, what + ': a dialog opened: ' + w.dialogs.join(' | '));
  check(w.errors.length === 0, what + ': script errors: ' + w.errors.join(' | '));
  check(w.foreign.length === 0, what + ': requests left ' + origin + ': ' + w.foreign.join(' | '));
}

function fold(s) {
  return s.replace(/\s+/g, ' ').trim();
}

// ------------------------------------------------------------- post titles and bodies ----

function candor(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

// The text of payload p as a rendered title shows it: the framed title, whitespace folded.
function shown(text, s) {
  return text.includes(fold(s));
}

async function checkPosts(b, stored) {
  // each post page: the title exactly, as text; the body's frame (markdown may drop raw HTML)
  for (const s of stored) {
    const what = 'post p' + s.p.n;
    const text = await render(b, origin + '/posts/p' + s.p.n, what);
    const h1 = fold(await b.page.locator('article h1').first().innerText());
    check(h1 === fold(s.title), what + ': the title is shown as text: ' + JSON.stringify(h1) + ' (want ' + JSON.stringify(fold(s.title)) + ')');
    check(fold(b.title).includes(fold(s.title)), what + ': the window title holds the title as text: ' + JSON.stringify(b.title));
    check(text.includes('Body ' + s.p.tag + ':') && text.includes('End of ' + s.p.tag + '.'), what + ': the body is rendered around the payload');
    check(new RegExp('\\bQ' + s.p.n + 'a\\b').test(text), what + ': the body shows the payload\'s frame Q' + s.p.n + 'a');
  }
  ok('the ' + stored.length + ' post pages: no payload ran, no dialog, no script error, no injected markup; each title shown as text in the page and the window title');

  // home and its pages: every stored title, as text
  const seen = new Set();
  let url = origin + '/', pages = 0;
  while (url) {
    pages++;
    check(pages <= 100, 'the home page has fewer than 100 pages');
    const text = await render(b, url, 'home page ' + pages);
    for (const s of stored) if (shown(text, s.title)) seen.add(s.p.n);
    const older = b.page.locator('a[rel=next]');
    url = (await older.count()) ? new URL(await older.first().getAttribute('href'), origin).href : '';
  }
  const missing = stored.filter((s) => !seen.has(s.p.n)).map((s) => s.p.n);
  check(missing.length === 0, 'the home pages show every payload title as text; missing: ' + missing.join(', '));
  ok('home, ' + pages + ' pages: nothing ran; all ' + stored.length + ' titles shown as text');

  // the Atom feed, rendered by Chromium as XML: an XHTML <script> in it would run
  b.watch.where = 'feed';
  const res = await b.page.goto(origin + '/feed.xml');
  check(res && res.status() === 200, 'GET /feed.xml answers 200');
  await b.page.waitForTimeout(150);
  checkWatch(b, '/feed.xml');
  const xml = await res.text();
  const inFeed = stored.filter((s) => xml.includes('Q' + s.p.n + 'a ')).length;
  check(inFeed >= Math.min(stored.length, 20) - 1, '/feed.xml holds the latest payload titles (' + inFeed + ')');
  const scripts = await b.page.evaluate(() => document.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'script').length);
  check(scripts === 0, '/feed.xml holds no XHTML script element (' + scripts + ')');
  ok('/feed.xml in Chromium: nothing ran; ' + inFeed + ' payload titles in it, no XHTML script element');
}

// --------------------------------------------------------------------------- comments ----

const LIMIT_COMMENT_AUTHOR_CHARS = 80;
const LIMIT_COMMENT_CHARS = 5000;
const LIMIT_COMMENT_MIN_SUBMIT_S = 3;
const ADMIN = { username: 'xss_admin', email: 'xss_admin@example.org', password: 'Correct horse battery staple xss' };
const COMMENT_POST = 'comments-here';

// The site admin who moderates, and the post the comments go under (command line, before
// the first page is asked for).
function addCommentSetup(tmp) {
  const pw = path.join(tmp, 'admin.pw');
  fs.writeFileSync(pw, ADMIN.password + '\n');
  let r = candor(['user', 'add', '--data', data, '--username', ADMIN.username, '--email', ADMIN.email, '--role', 'member', '--password-file', pw]);
  check(r.status === 0, 'user add ' + ADMIN.username + ' (' + r.stderr.trim() + ')');
  r = candor(['user', 'role', '--data', data, '--username', ADMIN.username, '--site', host, '--grant', 'admin']);
  check(r.status === 0, 'user role --grant admin (' + r.stderr.trim() + ')');
  const md = path.join(tmp, 'comments.md');
  fs.writeFileSync(md, 'The comments under this post are the XSS corpus.\n');
  r = candor(['post', 'add', '--data', data, '--site', host, '--title', 'Comments here', '--file', md, '--slug', COMMENT_POST]);
  check(r.status === 0, 'post add ' + COMMENT_POST + ' (' + r.stderr.trim() + ')');
}

// application/x-www-form-urlencoded of fields (strings or Buffers), byte by byte, so NUL,
// control bytes and invalid UTF-8 reach the server as they are.
function formBody(fields) {
  const out = [];
  for (const [k, v] of Object.entries(fields)) {
    const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
    let e = '';
    for (const c of bytes) e += /[A-Za-z0-9_.~-]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : '%' + c.toString(16).toUpperCase().padStart(2, '0');
    out.push(encodeURIComponent(k) + '=' + e);
  }
  return Buffer.from(out.join('&'));
}

async function postForm(b, url, fields, headers) {
  return b.page.request.post(url, {
    headers: Object.assign({ 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin }, headers || {}),
    data: formBody(fields),
    maxRedirects: 0,
  });
}

// Renders an answer the server gave to a POST (a refusal: the form again, the input kept)
// in the browser at the server's origin, exactly as it came.
async function renderAnswer(b, html, what) {
  const url = origin + '/__answer';
  await b.page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
  return render(b, url, what);
}

// The csrf field and action of the first form holding selector on the page at url.
async function formOf(b, url, selector) {
  const text = await render(b, url, 'form on ' + url);
  const f = await b.page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const form = el && el.closest('form');
    if (!form) return null;
    const c = form.querySelector('input[name=csrf]');
    return { action: form.getAttribute('action'), csrf: c && c.value };
  }, selector);
  check(f && f.csrf && f.action, url + ' has a form with ' + selector + ', a csrf field and an action (the page says: ' + text.slice(0, 200) + ')');
  return f;
}

// Each payload as a commenter's name and, in another comment, as the text. A value the
// form rules refuse must get 400 with the error next to the field and the input kept
// (that page rendered too); the rest are stored (303) and held for moderation. Every
// comment comes from its own address (X-Forwarded-For; run.sh trusts 127.0.0.1), so the
// per-address rate limit is not what is tested here.
async function postComments(b) {
  const f = await formOf(b, origin + '/posts/' + COMMENT_POST, 'textarea[name=text]');
  await b.page.waitForTimeout(LIMIT_COMMENT_MIN_SUBMIT_S * 1000 + 200);
  const accepted = [];
  let refused = 0, k = 0;
  for (const p of corpus) {
    for (const field of ['name', 'text']) {
      k++;
      const ip = '10.66.' + (k >> 8) + '.' + (k & 255);
      const v = field === 'name' ? corpusLib.framed(p, LIMIT_COMMENT_AUTHOR_CHARS) : corpusLib.framed(p, LIMIT_COMMENT_CHARS);
      const other = field === 'name' ? 'Name test ' + p.tag + '.' : 'Text ' + p.tag;
      const fields = { csrf: f.csrf, name: field === 'name' ? v : other, email: '', website: '', text: field === 'text' ? v : other };
      const want = corpusLib.verdict(v, field === 'name' ? LIMIT_COMMENT_AUTHOR_CHARS : LIMIT_COMMENT_CHARS, field === 'text');
      const res = await postForm(b, new URL(f.action, origin).href, fields, { 'X-Forwarded-For': ip });
      const what = 'payload ' + p.n + ' as comment ' + field;
      if (want.ok) {
        check(res.status() === 303, what + ' is accepted with 303 (got ' + res.status() + ': ' + fold((await res.text()).replace(/<[^>]*>/g, ' ')).slice(0, 300) + ')');
        accepted.push({ p, field, ip, name: String(fields.name), text: String(fields.text) });
      } else {
        check(res.status() === 400, what + ' (' + want.why + ') is refused with 400 (got ' + res.status() + ')');
        const text = await renderAnswer(b, await res.text(), what + ', refused');
        if (corpusLib.unreadable(v)) {
          // NUL, invalid UTF-8, C0 controls other than \t \r \n and DEL stop the form
          // parser itself (http/parse.c, str_utf8_valid): a page saying so, no form
          check(/Bad request/.test(text) && /could not be read/.test(text), what + ': the refusal says the form could not be read (' + text.slice(0, 200) + ')');
          refused++;
          continue;
        }
        check(/Your comment was not sent/.test(text), what + ': the refusal says the comment was not sent (' + text.slice(0, 200) + ')');
        const err = await b.page.locator('.field-error').allInnerTexts();
        check(err.length >= 1, what + ': the error is next to the field');
        if (corpusLib.utf8ok(v) && want.why.indexOf('control') < 0) {
          // the input is kept whole (not cut) in the form
          const kept = await b.page.inputValue(field === 'name' ? 'input[name=name]' : 'textarea[name=text]');
          check(kept.replace(/\r\n?/g, '\n') === v.toString('utf8').replace(/\r\n?/g, '\n'), what + ': the input is kept whole in the form (' + kept.length + ' characters)');
        }
        refused++;
      }
    }
  }
  ok('comments: ' + accepted.length + ' with a payload as name or text accepted and held, ' + refused +
    ' refused with 400, the error next to the field, the input kept, and nothing ran on those pages');
  return accepted;
}

async function signIn(b, who) {
  await b.page.goto(origin + '/login');
  await b.page.fill('input[name=login]', who.username);
  await b.page.fill('input[name=password]', who.password);
  await Promise.all([b.page.waitForNavigation(), b.page.locator('form:has(input[name=login]) button[type=submit]').first().click()]);
  check(new URL(b.page.url()).pathname !== '/login', who.username + ' signs in (the page says: ' + fold(await b.page.locator('body').innerText()).slice(0, 200) + ')');
}

// Every page of one moderation tab: returns the moderation forms and the page texts.
async function queuePages(b, status) {
  let url = origin + '/admin/comments?status=' + status, n = 0;
  const forms = [], texts = [], ips = [], authors = [];
  while (url) {
    n++;
    check(n <= 40, 'the moderation queue has fewer than 40 pages');
    texts.push(await render(b, url, 'moderation queue (' + status + ') page ' + n));
    forms.push(...await b.page.evaluate(() => [...document.querySelectorAll('form.moderate')].map((f) => ({
      action: f.getAttribute('action'), csrf: f.querySelector('input[name=csrf]').value,
      back: (f.querySelector('input[name=back]') || {}).value || '' }))));
    ips.push(...await b.page.locator('.commenter-ip').allInnerTexts());
    authors.push(...(await b.page.locator('.comment-author').allInnerTexts()).map(fold));
    const older = b.page.locator('nav.pagination a[rel=next]');
    url = (await older.count()) ? new URL(await older.first().getAttribute('href'), origin).href : '';
  }
  return { forms, text: texts.join(' '), ips, authors, pages: n };
}

function checkComments(accepted, text, authors, what) {
  for (const c of accepted) {
    if (c.field === 'name')
      check(authors.includes(fold(c.name)), what + ': payload ' + c.p.n + ' is shown as the commenter\'s name, as text');
    else
      check(new RegExp('\\bQ' + c.p.n + 'a\\b').test(text) && authors.includes(fold(c.name)),
        what + ': the comment with payload ' + c.p.n + ' as its text is there');
  }
}

async function moderateComments(b, accepted) {
  await signIn(b, ADMIN);
  const q = await queuePages(b, 'pending');
  checkComments(accepted, q.text, q.authors, 'the moderation queue');
  const missingIp = accepted.filter((c) => !q.ips.includes(c.ip)).length;
  check(missingIp === 0, 'the queue shows each commenter\'s IP address to the site admin (' + missingIp + ' missing)');
  ok('the moderation queue, ' + q.pages + ' pages: nothing ran; all ' + accepted.length + ' held comments shown as text, with their IP addresses');
  let approved = 0;
  for (const f of q.forms) {
    const res = await postForm(b, new URL(f.action, origin).href, { csrf: f.csrf, back: f.back, action: 'approve' });
    check(res.status() === 303, 'approving ' + f.action + ' answers 303 (got ' + res.status() + ')');
    approved++;
  }
  check(approved === accepted.length, 'the queue held one form per comment (' + approved + ' for ' + accepted.length + ')');
  ok('approved the ' + approved + ' comments');
}

async function checkApproved(b, accepted) {
  const text = await render(b, origin + '/posts/' + COMMENT_POST, 'the post with the comments');
  const authors = (await b.page.locator('.comment-author').allInnerTexts()).map(fold);
  checkComments(accepted, text, authors, 'the post page');
  ok('the post page with ' + accepted.length + ' approved comments: nothing ran; every name shown as text, every text there');

  const home = await render(b, origin + '/', 'home with comment counts');
  check(home.includes(accepted.length + ' comments'), 'the home page shows the post\'s ' + accepted.length + ' comments');
  ok('home shows "' + accepted.length + ' comments" and nothing ran');

  b.watch.where = '/comments.xml';
  const res = await b.page.goto(origin + '/comments.xml');
  check(res && res.status() === 200, 'GET /comments.xml answers 200 (got ' + (res && res.status()) + ')');
  await b.page.waitForTimeout(150);
  checkWatch(b, '/comments.xml');
  const xml = await res.text();
  const inFeed = accepted.filter((c) => xml.includes(c.p.tag + 'a ')).length;
  const scripts = await b.page.evaluate(() => document.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'script').length);
  check(inFeed >= 1 && scripts === 0, '/comments.xml holds payload comments (' + inFeed + ') and no XHTML script element (' + scripts + ')');
  ok('/comments.xml in Chromium: nothing ran; ' + inFeed + ' payload comments in it');
}

// ------------------------------------------------------------- posts through the admin ----

// Every payload as a post's title (one line, LIMIT_TITLE characters) and in its body,
// saved and published through the admin editor (signed in as the site admin). A value the
// form rules refuse gets 400 with the error next to the field and the input kept whole,
// and that page is rendered too; bytes the form parser refuses get "The form could not be
// read". The rest are stored: 303 to the editor.
async function adminPosts(b) {
  const f = await formOf(b, origin + '/admin/posts/new', 'input[name=title]');
  const stored = [];
  let refused = 0;
  for (const p of corpus) {
    const title = corpusLib.framed(p, LIMIT_TITLE);
    const body = Buffer.concat([Buffer.from('Body ' + p.tag + ': '), corpusLib.framed(p, LIMIT_TITLE),
      Buffer.from('\n\nEnd of ' + p.tag + '.\n')]);
    const what = 'payload ' + p.n + ' as a post title and text';
    const res = await postForm(b, new URL(f.action, origin).href,
      { csrf: f.csrf, title, slug: 'p' + p.n, body, status: 'publish', publish_at: '', action: 'save' });
    if (corpusLib.unreadable(title) || corpusLib.unreadable(body)) {
      check(res.status() === 400, what + ': a form with bytes the parser refuses answers 400 (got ' + res.status() + ')');
      const text = await renderAnswer(b, await res.text(), what + ', refused');
      check(/could not be read/.test(text), what + ': the refusal says the form could not be read');
      refused++;
      continue;
    }
    const want = corpusLib.verdict(title, LIMIT_TITLE, false);
    if (want.ok) {
      check(res.status() === 303, what + ' is saved: 303 (got ' + res.status() + ': ' + fold((await res.text()).replace(/<[^>]*>/g, ' ')).slice(0, 300) + ')');
      stored.push({ p, title: title.toString('utf8') });
      continue;
    }
    check(res.status() === 400, what + ' (' + want.why + ') is refused with 400 (got ' + res.status() + ')');
    await renderAnswer(b, await res.text(), what + ', refused');
    check((await b.page.locator('.field-error').count()) >= 1, what + ': the error is said next to the field');
    // an <input>'s value never holds line breaks (HTML strips them)
    const kept = await b.page.inputValue('input[name=title]');
    check(kept === title.toString('utf8').replace(/[\r\n]/g, ''), what + ': the title is kept whole in the form (' + kept.length + ' characters)');
    refused++;
  }
  ok('admin editor: ' + stored.length + ' payload posts saved and published, ' + refused +
    ' refused with 400 and a sentence (the input kept where the form could be read); nothing ran on those pages');
  return stored;
}

// The command line holds titles and bodies to the same limits: one over is refused with a
// sentence, never cut.
function cliLimits(tmp) {
  const longp = corpus.find((p) => p.long);
  const file = path.join(tmp, 'long.md');
  fs.writeFileSync(file, corpusLib.framed(longp, LIMIT_BODY_MARKDOWN, 'bytes'));
  let r = candor(['post', 'add', '--data', data, '--site', host, '--title', 'Long body', '--file', file, '--slug', 'long-body']);
  check(r.status !== 0 && /\S/.test(r.stderr), 'a body of ' + (LIMIT_BODY_MARKDOWN + 1) + ' bytes is refused with a sentence (exit ' +
    r.status + ': ' + r.stderr.trim().slice(0, 200) + ')');
  fs.writeFileSync(file, 'short\n');
  r = candor(['post', 'add', '--data', data, '--site', host, '--title', corpusLib.framed(longp, LIMIT_TITLE).toString('utf8'),
    '--file', file, '--slug', 'long-title']);
  check(r.status !== 0 && /\S/.test(r.stderr), 'a title of ' + (LIMIT_TITLE + 1) + ' characters is refused with a sentence (exit ' +
    r.status + ': ' + r.stderr.trim().slice(0, 200) + ')');
  const list = candor(['post', 'list', '--data', data, '--site', host]);
  check(list.status === 0 && !/long-(body|title)/.test(list.stdout), 'neither is stored');
  ok('post add: a title one character and a body one byte over the limit are refused with a sentence, nothing stored');
}

// ------------------------------------------------------------------ the admin editor ----

// Each payload as the title and body of a new post in the admin editor, previewed: the
// form comes back with the input kept (the title in a value attribute, the body in the
// textarea) and the server-rendered preview of the body. A value the form rules refuse
// gets 400, the error next to the field and the input kept. Saving goes through the same
// posts_add as `candor post add`, whose titles the post pages above showed.
async function adminPreviews(b) {
  const f = await formOf(b, origin + '/admin/posts/new', 'input[name=title]');
  let previewed = 0, refused = 0;
  for (const p of corpus) {
    const title = corpusLib.framed(p, LIMIT_TITLE);
    const body = Buffer.concat([Buffer.from('Body ' + p.tag + ': '), corpusLib.framed(p, LIMIT_TITLE)]);
    const what = 'payload ' + p.n + ' in the admin editor';
    const res = await postForm(b, new URL(f.action, origin).href,
      { csrf: f.csrf, title, slug: 'preview-' + p.n, body, status: 'draft', publish_at: '', action: 'preview' });
    const html = await res.text();
    if (corpusLib.unreadable(title) || corpusLib.unreadable(body)) {
      check(res.status() === 400, what + ': a form with bytes the parser refuses answers 400 (got ' + res.status() + ')');
      const text = await renderAnswer(b, html, what + ', refused');
      check(/could not be read/.test(text), what + ': the refusal says the form could not be read');
      refused++;
      continue;
    }
    const want = corpusLib.verdict(title, LIMIT_TITLE, false);
    const text = await renderAnswer(b, html, what);
    // an <input>'s value never holds line breaks (HTML strips them)
    const kept = await b.page.inputValue('input[name=title]');
    check(kept === title.toString('utf8').replace(/[\r\n]/g, ''), what + ': the title is kept whole in the form (' + JSON.stringify(kept.slice(0, 80)) + ')');
    // a <textarea>'s value has its line breaks normalised to \n
    const keptBody = (await b.page.inputValue('textarea[name=body]')).replace(/\r\n?/g, '\n');
    check(keptBody === body.toString('utf8').replace(/\r\n?/g, '\n'), what + ': the body is kept whole in the form');
    if (want.ok) {
      check(res.status() === 200, what + ': the preview answers 200 (got ' + res.status() + ': ' + text.slice(0, 200) + ')');
      const pv = fold(await b.page.locator('.preview').innerText());
      check(pv.includes('Body ' + p.tag + ':') && new RegExp('\\bQ' + p.n + 'a\\b').test(pv), what + ': the preview shows the body (' + pv.slice(0, 120) + ')');
      previewed++;
    } else {
      check(res.status() === 400 && (await b.page.locator('.field-error').count()) >= 1,
        what + ' (' + want.why + '): refused with 400 and the error next to the field (got ' + res.status() + ')');
      refused++;
    }
  }
  ok('admin editor: ' + previewed + ' payload titles and bodies previewed, the input kept; ' + refused +
    ' refused with 400 and the error said; nothing ran on any of those pages');
}

// ----------------------------------------------------------------------------- search ----

const LIMIT_SEARCH_QUERY = 200;
// PAGE_STATE with the search boxes' values and what the page says back, in one round trip
const SEARCH_STATE = '({ findings: (' + domFindings.toString() + ')(), text: document.body.innerText, ' +
  'boxes: [...document.querySelectorAll("input[name=q]")].map((e) => e.value), ' +
  'said: [...document.querySelectorAll(".search-count q, .field-error")].map((e) => e.innerText) })';

function queryString(buf) {
  let e = '';
  for (const c of buf) e += /[A-Za-z0-9_.~-]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : '%' + c.toString(16).toUpperCase().padStart(2, '0');
  return e;
}

// Each payload as a search query: the query comes back in the search box and in the
// sentence counting the results, as text. Then the results for "xss" (nearly every
// payload post), page by page: titles and snippets with <mark> built from payloads.
async function searches(b, stored) {
  let echoed = 0, refused = 0;
  for (const p of corpus) {
    const q = corpusLib.framed(p, LIMIT_SEARCH_QUERY);
    const what = 'payload ' + p.n + ' as a search query';
    const url = origin + '/search?q=' + queryString(q);
    b.watch.where = what;
    const res = await b.page.goto(url);
    const st = res && res.status();
    await b.page.waitForTimeout(SETTLE_MS);
    const r = await b.page.evaluate(SEARCH_STATE);
    check(r.findings.length === 0, what + ': the page holds injected markup: ' + r.findings.slice(0, 10).join(', '));
    checkWatch(b, what);
    const text = fold(r.text);
    if (corpusLib.unreadable(q)) {
      check(st === 400 && /\S/.test(text), what + ': bytes the parser refuses answer 400 with a sentence (got ' + st + ')');
      refused++;
      continue;
    }
    // the search page's box, and the one in the header where the layout has it
    const boxes = r.boxes;
    const want = q.toString('utf8').replace(/[\r\n]/g, '');
    check(boxes.length >= 1 && boxes.every((v) => v === want), what + ': the query is kept in the search box (' + JSON.stringify(boxes).slice(0, 160) + ')');
    if (corpusLib.chars(q) > LIMIT_SEARCH_QUERY) {
      check(st === 400 && /at most 200 characters/.test(text), what + ': an over-long query answers 400 saying the limit (got ' + st + ')');
      refused++;
      continue;
    }
    check(st === 200, what + ': answers 200 (got ' + st + ': ' + text.slice(0, 200) + ')');
    const said = r.said;
    check(said.some((t) => fold(t) === fold(q.toString('utf8')) || /Type a word/.test(t)),
      what + ': the query is said back as text (' + JSON.stringify(said).slice(0, 200) + ')');
    echoed++;
  }
  ok('search: ' + echoed + ' payload queries said back as text, ' + refused + ' refused with 400 and a sentence; nothing ran');

  let url = origin + '/search?q=xss', pages = 0, marks = 0;
  const seen = new Set();
  while (url) {
    pages++;
    check(pages <= 60, 'the results for xss have at most 60 pages');
    const text = await render(b, url, 'search results for xss, page ' + pages);
    marks += await b.page.locator('.snippet mark').count();
    // a snippet is text with <mark> added by the code, nothing else
    const other = await b.page.evaluate(() => [...document.querySelectorAll('.snippet *')].filter((e) => e.tagName !== 'MARK' || e.attributes.length).map((e) => e.outerHTML.slice(0, 80)));
    check(other.length === 0, 'search results page ' + pages + ': snippets hold only <mark>: ' + other.join(', '));
    for (const t of await b.page.locator('.search-results h2').allInnerTexts()) {
      const m = /^Q(\d+)a /.exec(t);
      if (m) seen.add(Number(m[1]));
    }
    check(/results? for/.test(text), 'the search for xss says how many results');
    const next = b.page.locator('nav.pagination a[rel=next]');
    url = (await next.count()) ? new URL(await next.first().getAttribute('href'), origin).href : '';
  }
  const want = stored.filter((s) => /xss/i.test(s.title)).length;
  // how "__xss(N)" inside markup splits into words is the backend's (FTS5 finds nearly
  // all, PostgreSQL's parser fewer): what counts here is that many payloads are rendered
  check(seen.size >= 50 && marks >= 10, 'the results for xss list at least 50 payload posts (' + seen.size + ' of ' + want +
    ' with "xss" in the title) with highlighted snippets (' + marks + ' marks)');
  ok('search results for xss, ' + pages + ' pages: nothing ran; ' + seen.size + ' payload posts with ' + marks + ' highlighted snippets');
}

// --------------------------------------------------------------------------- main ----

async function main() {
  const tmp = fs.mkdtempSync('/tmp/candor-xss-');
  let b;
  try {
    // all writes through the command line before the first page is asked for
    addCommentSetup(tmp);
    if (part === 'content') cliLimits(tmp);
    b = await openBrowser();
    // the marker works: a page of our own calling it is seen (the detection is live)
    b.watch.where = 'self-check';
    await b.page.setContent('<script>__xss(0)</script>');
    await b.page.waitForTimeout(100);
    check(b.watch.hits.length === 1, 'the detector sees a payload that runs (self-check: ' + b.watch.hits.length + ' hits)');
    b.watch.hits.length = 0;
    await b.page.setContent('<p>x</p><img src="data:," onerror="__xss(0)"><a href="javascript:__xss(0)">y</a>');
    await b.page.waitForTimeout(100);
    const found = await b.page.evaluate(domFindings);
    check(b.watch.hits.length === 1 && found.length === 3, 'the detector sees an event handler run and the three injected attributes (' +
      b.watch.hits.length + ' hits; ' + found.join(', ') + ')');
    b.watch.hits.length = 0;
    ok('self-check: a script calling __xss, an onerror handler, a data: image source and a javascript: link are detected');
    if (part === 'content') {
      await signIn(b, ADMIN);
      const stored = await adminPosts(b);
      // signed out: what follows is what an anonymous visitor sees
      await b.context.clearCookies();
      await checkPosts(b, stored);
      await searches(b, stored);
    } else {
      const accepted = await postComments(b);
      await moderateComments(b, accepted);
      await adminPreviews(b);
      // the admin's session ends: what follows is what an anonymous visitor sees
      await b.context.clearCookies();
      await checkApproved(b, accepted);
    }
  } finally {
    if (b) await b.browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const timer = setTimeout(() => {
  console.error(label + ': FAIL: the run took longer than 270 s');
  process.exit(1);
}, 270000);
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
