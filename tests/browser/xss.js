// candor's XSS test (issue 6, item 6), run by tests/browser/run.sh BACKEND xss.js against a
// live server: every payload of tests/xss/payloads.txt goes into post titles and bodies
// (the command line), then the pages that show them (home and its pages, each post, the
// Atom feed) are rendered in Debian's Chromium (playwright-core). Nothing may run: a
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
const label = 'it_xss.' + (process.env.CANDOR_BACKEND || '?');
if (!origin || !bin || !data || !host) {
  console.error(label + ': FAIL: CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA and CANDOR_HOST must be set (tests/browser/run.sh sets them)');
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
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (/^https?:/.test(u) && new URL(u).origin !== origin) {
      watch.foreign.push(watch.where + ': ' + u);
      return route.abort();
    }
    return route.continue();
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
  await b.page.waitForTimeout(100);
  const findings = await b.page.evaluate(domFindings);
  check(findings.length === 0, what + ': the page holds injected markup: ' + findings.slice(0, 10).join(', '));
  checkWatch(b, what);
  return fold(await b.page.locator('body').innerText());
}

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

// Every payload as a post title (one line, LIMIT_TITLE characters) and its body (markdown),
// through `candor post add`. A title the form rules refuse (control bytes, invalid UTF-8,
// too long) must be refused with a sentence and nothing stored; the rest must be stored.
// Payloads with NUL or invalid UTF-8 cannot be command-line arguments: those titles are
// the admin form's to take.
function addPosts(tmp) {
  const stored = [];
  let refused = 0, unpassable = 0;
  for (const p of corpus) {
    const title = corpusLib.framed(p, LIMIT_TITLE);
    const body = Buffer.concat([Buffer.from('Body ' + p.tag + ': '), corpusLib.framed(p, LIMIT_BODY_MARKDOWN, 'bytes'),
      Buffer.from('\n\nEnd of ' + p.tag + '.\n')]);
    const file = path.join(tmp, 'post-' + p.n + '.md');
    fs.writeFileSync(file, body);
    if (title.includes(0) || !corpusLib.utf8ok(title)) {
      unpassable++;
      continue;
    }
    const want = corpusLib.verdict(title, LIMIT_TITLE, false);
    const r = candor(['post', 'add', '--data', data, '--site', host, '--title', title.toString('utf8'),
      '--file', file, '--slug', 'p' + p.n]);
    if (want.ok) {
      check(r.status === 0, 'post add with payload ' + p.n + ' as its title is accepted (exit ' + r.status + ': ' + r.stderr.trim() + ')');
      stored.push({ p, title: title.toString('utf8') });
    } else {
      check(r.status !== 0 && /\S/.test(r.stderr), 'post add with payload ' + p.n + ' as its title (' + want.why +
        ') is refused with a sentence (exit ' + r.status + ', stderr: ' + r.stderr.trim().slice(0, 200) + ')');
      refused++;
    }
  }
  // the refused titles left nothing behind
  const list = candor(['post', 'list', '--data', data, '--site', host]);
  check(list.status === 0, 'post list works (' + list.stderr.trim() + ')');
  for (const p of corpus) {
    const mine = stored.some((s) => s.p === p);
    if (!mine) check(!new RegExp('\\bQ' + p.n + 'a\\b').test(list.stdout), 'the refused post of payload ' + p.n + ' is not stored');
  }
  ok('post add: ' + stored.length + ' payload titles stored, ' + refused + ' refused with a sentence and not stored, ' +
    unpassable + ' with NUL or invalid UTF-8 cannot be arguments');
  // a body over LIMIT_BODY_MARKDOWN bytes is refused, not cut
  const longp = corpus.find((p) => p.long);
  const file = path.join(tmp, 'long.md');
  fs.writeFileSync(file, corpusLib.framed(longp, LIMIT_BODY_MARKDOWN, 'bytes'));
  const r = candor(['post', 'add', '--data', data, '--site', host, '--title', 'Long body', '--file', file, '--slug', 'long-body']);
  check(r.status !== 0 && /\S/.test(r.stderr), 'a body of ' + (LIMIT_BODY_MARKDOWN + 1) + ' bytes is refused with a sentence (exit ' +
    r.status + ': ' + r.stderr.trim().slice(0, 200) + ')');
  ok('post add: a body one byte over the limit is refused (' + r.stderr.trim().slice(0, 100) + ')');
  return stored;
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
    check(text.includes('Body ' + s.p.tag + ':') && text.includes('End of ' + s.p.tag + '.'), what + ': the body is rendered around the payload');
    check(new RegExp('\\bQ' + s.p.n + 'a\\b').test(text), what + ': the body shows the payload\'s frame Q' + s.p.n + 'a');
  }
  ok('the ' + stored.length + ' post pages: no payload ran, no dialog, no script error, no injected markup; each title shown as text');

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

// --------------------------------------------------------------------------- main ----

async function main() {
  const tmp = fs.mkdtempSync('/tmp/candor-xss-');
  let b;
  try {
    // all writes through the command line before the first page is asked for
    const stored = addPosts(tmp);
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
    await checkPosts(b, stored);
  } finally {
    if (b) await b.browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const timer = setTimeout(() => {
  console.error(label + ': FAIL: the run took longer than 170 s');
  process.exit(1);
}, 170000);
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
