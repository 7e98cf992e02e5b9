// candor's site-admin walk (issue 6, items 3 and 7), run by tests/browser/run.sh BACKEND
// admin.js against a live server, in Debian's Chromium (playwright-core): a visitor
// comments under a post -> the comment is held -> the site admin signs in, opens
// /admin/comments, sees it with the commenter's IP address and email, approves it -> an
// anonymous visitor sees it under the post. Along the way the admin's pages are
// photographed (1000x700) into CANDOR_SCREENSHOTS when it is set
// (tests/browser/screenshots.sh copies them into docs/img/ for docs/site-admin.md).
// Environment (run.sh sets it): CANDOR_ORIGIN, CANDOR_BIN, CANDOR_DATA, CANDOR_HOST,
// CANDOR_BACKEND; CANDOR_SCREENSHOTS optional.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const origin = process.env.CANDOR_ORIGIN;
const bin = process.env.CANDOR_BIN;
const data = process.env.CANDOR_DATA;
const host = process.env.CANDOR_HOST;
const shots = process.env.CANDOR_SCREENSHOTS || '';
const label = 'it_admin.' + (process.env.CANDOR_BACKEND || '?');
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
function fold(s) {
  return s.replace(/\s+/g, ' ').trim();
}
async function bodyText(page) {
  return fold(await page.locator('body').innerText());
}
function urlPath(page) {
  return new URL(page.url()).pathname;
}

const ADMIN = { username: 'ada_admin', email: 'ada@example.org', password: 'Correct horse battery staple ada' };
const VISITOR = { name: 'Grace Visitor', email: 'grace@example.net', text: 'What a *lovely* first post. Thank you for writing it.' };
const LIMIT_COMMENT_MIN_SUBMIT_S = 3;

function candor(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  check(r.status === 0, 'candor ' + args.slice(0, 2).join(' ') + ' works (' + r.stderr.trim() + ')');
  return r;
}

// The site admin and a first post, from the command line, before any page is asked for.
function setup(tmp) {
  const pw = path.join(tmp, 'admin.pw');
  fs.writeFileSync(pw, ADMIN.password + '\n');
  candor(['user', 'add', '--data', data, '--username', ADMIN.username, '--email', ADMIN.email, '--role', 'member', '--password-file', pw]);
  candor(['user', 'role', '--data', data, '--username', ADMIN.username, '--site', host, '--grant', 'admin']);
  const md = path.join(tmp, 'hello.md');
  fs.writeFileSync(md, 'Welcome to the new blog. Comments are open: the first one from each person waits for a moderator.\n');
  candor(['post', 'add', '--data', data, '--site', host, '--title', 'Hello, world', '--file', md, '--slug', 'hello']);
}

// A 1000x700 picture of the page scrolled to its main heading (past the site's header),
// or to `at` when given.
async function shot(page, name, at) {
  if (!shots) return;
  const target = at || page.locator('main h1, h1').first();
  if (await target.count()) await target.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(shots, name + '.png') });
}

async function submit(page, button) {
  const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
  return res;
}

async function signIn(page, who) {
  await page.goto(origin + '/login');
  await page.fill('input[name=login]', who.username);
  await page.fill('input[name=password]', who.password);
  await submit(page, page.locator('form:has(input[name=login]) button[type=submit]').first());
  check(urlPath(page) !== '/login', who.username + ' signs in (the page says: ' + (await bodyText(page)).slice(0, 200) + ')');
}

// The admin area without a line of JavaScript: write a post, preview it, schedule one for
// tomorrow, publish another now, change the site's tagline; `anon` checks what visitors see.
async function writeAndSettings(admin, anon) {
  let res = await admin.goto(origin + '/admin/posts/new');
  check(res && res.status() === 200, 'GET /admin/posts/new answers 200 for the site admin (got ' + (res && res.status()) + ')');
  check(await admin.locator('form.admin-form input[type=hidden][name=csrf]').count() === 1, 'the editor carries the csrf field');
  await admin.fill('input[name=title]', 'Notes from the garden');
  await admin.fill('textarea[name=body]', 'The **tomatoes** are in.\n\n- basil\n- thyme\n\nMore [on the seed library](https://example.org/seeds).\n');
  await shot(admin, 'admin-editor');
  res = await submit(admin, admin.locator('button[name=action][value=preview]'));
  check(res && res.status() === 200, 'the preview answers 200 (got ' + (res && res.status()) + ': ' + (await bodyText(admin)).slice(0, 200) + ')');
  const preview = admin.locator('section.preview');
  check(await preview.locator('strong', { hasText: 'tomatoes' }).count() === 1 && await preview.locator('li').count() === 2,
    'the preview shows the rendered markdown (the page says: ' + (await bodyText(admin)).slice(0, 300) + ')');
  check(await admin.inputValue('input[name=title]') === 'Notes from the garden', 'the preview keeps the title in the form');
  await shot(admin, 'admin-preview');
  ok('the editor previews markdown on the server, the input kept');

  // schedule it for tomorrow: saved, not shown yet
  const tomorrow = new Date(Date.now() + 86400 * 1000).toISOString().slice(0, 16);
  await admin.check('input[name=status][value=schedule]');
  await admin.fill('input[name=publish_at]', tomorrow);
  res = await submit(admin, admin.locator('button[name=action][value=save]'));
  let text = await bodyText(admin);
  check(/Saved/.test(text), 'scheduling saves the post (the page says: ' + text.slice(0, 300) + ')');
  await anon.goto(origin + '/');
  check(!(await bodyText(anon)).includes('Notes from the garden'), 'the scheduled post is not on the home page before its time');
  ok('a post scheduled for ' + tomorrow + ' UTC is saved and not shown yet');

  // another, published now
  await admin.goto(origin + '/admin/posts/new');
  await admin.fill('input[name=title]', 'Opening day');
  await admin.fill('textarea[name=body]', 'We are open. Say hello in the comments.\n');
  await admin.check('input[name=status][value=publish]');
  res = await submit(admin, admin.locator('button[name=action][value=save]'));
  check(/Saved/.test(await bodyText(admin)), 'publishing saves the post');
  res = await anon.goto(origin + '/');
  text = await bodyText(anon);
  check(text.includes('Opening day'), 'the published post is on the home page (it says: ' + text.slice(0, 300) + ')');
  res = await admin.goto(origin + '/admin/posts');
  check(res && res.status() === 200 && (await bodyText(admin)).includes('Notes from the garden'), '/admin/posts lists the scheduled post');
  await shot(admin, 'admin-posts');
  ok('a post published now is on the home page; /admin/posts lists both');

  // settings: a new tagline
  res = await admin.goto(origin + '/admin/settings');
  check(res && res.status() === 200, 'GET /admin/settings answers 200 for the site admin (got ' + (res && res.status()) + ')');
  await admin.fill('input[name=tagline]', 'Small notes from a small garden');
  await shot(admin, 'admin-settings');
  res = await submit(admin, admin.locator('form.admin-form button[type=submit]'));
  check(/saved/i.test(await bodyText(admin)), 'the settings are saved (the page says: ' + (await bodyText(admin)).slice(0, 200) + ')');
  await anon.goto(origin + '/');
  check((await bodyText(anon)).includes('Small notes from a small garden'), 'the new tagline is on the home page');
  ok('/admin/settings changes the tagline; visitors see it');
}

async function main() {
  const tmp = fs.mkdtempSync('/tmp/candor-admin-');
  const errors = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  try {
    setup(tmp);
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

    // 1. a visitor comments; the comment is held
    let res = await visitor.goto(origin + '/posts/hello');
    check(res && res.status() === 200, 'GET /posts/hello answers 200');
    const form = visitor.locator('form.comment-form');
    check(await form.count() === 1, 'the post has a comment form');
    check(await form.locator('input[type=hidden][name=csrf]').count() === 1, 'the comment form carries the csrf field');
    await visitor.fill('input[name=name]', VISITOR.name);
    await visitor.fill('input[name=email]', VISITOR.email);
    await visitor.fill('textarea[name=text]', VISITOR.text);
    // a person takes a few seconds to write; sooner is refused as a bot
    await visitor.waitForTimeout(LIMIT_COMMENT_MIN_SUBMIT_S * 1000 + 300);
    res = await submit(visitor, form.locator('button[type=submit]'));
    let text = await bodyText(visitor);
    check(urlPath(visitor) === '/posts/hello', 'sending the comment leads back to the post (it is on ' + visitor.url() + ': ' + text.slice(0, 200) + ')');
    check(/waits for/i.test(text) && /moderat/i.test(text), 'the post says the comment waits for moderation (it says: ' + text.slice(0, 300) + ')');
    check(!text.includes('lovely first post'), 'the held comment is not shown yet');
    ok('a visitor\'s comment is accepted and held: "' + (await visitor.locator('.comments .notice').first().innerText()).trim() + '"');

    // 2. the site admin signs in and finds it in the queue, with the IP address and email
    await signIn(admin, ADMIN);
    res = await admin.goto(origin + '/admin/comments');
    check(res && res.status() === 200, 'GET /admin/comments answers 200 for the site admin (got ' + (res && res.status()) + ')');
    const item = admin.locator('article.comment', { hasText: 'lovely' });
    check(await item.count() === 1, 'the queue shows the held comment (the page says: ' + (await bodyText(admin)).slice(0, 300) + ')');
    check(fold(await item.locator('.comment-author').innerText()) === VISITOR.name, 'the queue shows the commenter\'s name');
    const ip = fold(await item.locator('.commenter-ip').innerText());
    check(ip === '127.0.0.1', 'the queue shows the commenter\'s IP address to the site admin (it shows ' + JSON.stringify(ip) + ')');
    const email = fold(await item.locator('.commenter-email').innerText());
    check(email === VISITOR.email, 'the queue shows the commenter\'s email to the site admin (' + JSON.stringify(email) + ')');
    check(/audit/i.test(await bodyText(admin)), 'the queue says each showing of an IP address is recorded');
    await shot(admin, 'moderation-queue');
    ok('/admin/comments shows the held comment with IP ' + ip + ' and ' + email);

    // 3. approve
    res = await submit(admin, item.locator('button[name=action][value=approve]'));
    check(urlPath(admin) === '/admin/comments', 'approving leads back to the queue (it is on ' + admin.url() + ')');
    check(await admin.locator('article.comment', { hasText: 'lovely' }).count() === 0, 'the approved comment left the pending queue');
    ok('the site admin approves it; it leaves the queue');

    // 4. an anonymous visitor sees it
    const anonCtx = await browser.newContext(opts);
    const anon = await anonCtx.newPage();
    anon.on('pageerror', (e) => errors.push('anonymous ' + urlPath(anon) + ': ' + e.message));
    res = await anon.goto(origin + '/posts/hello');
    check(res && res.status() === 200, 'GET /posts/hello answers 200 to an anonymous visitor');
    const shown = anon.locator('.comments article.comment', { hasText: 'lovely' });
    check(await shown.count() === 1, 'the approved comment is on the post for an anonymous visitor (the page says: ' + (await bodyText(anon)).slice(0, 300) + ')');
    check(fold(await shown.locator('.comment-author').innerText()) === VISITOR.name, 'it carries the commenter\'s name');
    check(await shown.locator('em', { hasText: 'lovely' }).count() === 1, 'its markdown is rendered (*lovely* in <em>)');
    const anonText = await bodyText(anon);
    check(!anonText.includes('127.0.0.1') && !anonText.includes(VISITOR.email), 'the anonymous visitor sees neither the IP address nor the email');
    ok('an anonymous visitor sees the approved comment under the post, without the IP address or email');
    await shot(anon, 'post-with-comment', anon.locator('#comments'));

    await writeAndSettings(admin, anon);

    check(errors.length === 0, 'no script error or CSP violation on the pages: ' + errors.join(' | '));
    ok('no script error or CSP violation on the pages');

    // 5. the statistics dashboard: its chart is styled without an inline style, so the
    // site's CSP has nothing to refuse (a console error here fails the walk, as above)
    const before = errors.length;
    res = await admin.goto(origin + '/admin/stats');
    check(res && res.status() === 200, 'GET /admin/stats answers 200 for the site admin (got ' + (res && res.status()) + ')');
    const chart = admin.locator('svg.chart');
    check(await chart.count() === 1, 'the statistics page has its chart');
    const stroke = await chart.locator('path.views').evaluate((e) => getComputedStyle(e).stroke);
    check(stroke === 'rgb(31, 95, 168)', 'the chart\'s page views line is drawn in its colour (computed stroke ' + stroke + ')');
    await admin.waitForTimeout(300); // let a late CSP report reach the console
    await shot(admin, 'stats');
    check(errors.length === before, 'no script error or CSP violation on /admin/stats: ' + errors.slice(before).join(' | '));
    ok('/admin/stats answers the site admin; its chart draws with no CSP violation');
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
