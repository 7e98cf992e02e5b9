// corpus: reads tests/xss/payloads.txt (its header says the notation) into payloads of
// bytes, frames each one so it can be found on a page, and says whether candor's form
// rules (src/web/form.c) must accept or refuse a framed value in a field.
'use strict';
const fs = require('fs');

// Every payload: n (1..), tag "Q<n>", long (pad over the limit), bytes (a Buffer, § made n).
function load(file) {
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const n = out.length + 1;
    let s = line, long = false;
    if (s.startsWith('⟦long⟧')) {
      long = true;
      s = s.slice('⟦long⟧'.length);
    }
    const parts = [];
    let rest = s.split('§').join(String(n));
    for (;;) {
      const m = /⟦x([0-9a-fA-F]{2})⟧/.exec(rest);
      if (!m) break;
      parts.push(Buffer.from(rest.slice(0, m.index), 'utf8'), Buffer.from([parseInt(m[1], 16)]));
      rest = rest.slice(m.index + m[0].length);
    }
    parts.push(Buffer.from(rest, 'utf8'));
    if (/⟦|⟧/.test(rest)) throw new Error(file + ': payload ' + n + ' has an unknown ⟦...⟧ escape: ' + line);
    out.push({ n, tag: 'Q' + n, long, bytes: Buffer.concat(parts), source: line });
  }
  return out;
}

function utf8ok(buf) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch (e) {
    return false;
  }
}

function chars(buf) {
  return [...buf.toString('utf8')].length;
}

// "Q<n>a <payload> Q<n>z"; a long payload is padded with "A" so the whole is one over
// limit (characters, or bytes when unit is 'bytes').
function framed(p, limit, unit) {
  const head = Buffer.from(p.tag + 'a ');
  const tail = Buffer.from(' ' + p.tag + 'z');
  let v = Buffer.concat([head, p.bytes, tail]);
  if (p.long) {
    const have = unit === 'bytes' ? v.length : chars(v);
    const pad = limit + 1 - have;
    if (pad < 0) throw new Error('payload ' + p.n + ' is longer than ' + limit + ' without padding');
    v = Buffer.concat([head, p.bytes, Buffer.alloc(pad, 'A'), tail]);
  }
  return v;
}

// What src/web/form.c must answer for value in a field of limit characters: { ok, why }.
function verdict(buf, limit, multiline) {
  if (!utf8ok(buf)) return { ok: false, why: 'invalid UTF-8' };
  const s = buf.toString('utf8');
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if ((c < 0x20 && !(multiline && (c === 9 || c === 10 || c === 13))) || c === 0x7f || (c >= 0x80 && c <= 0x9f))
      return { ok: false, why: 'control character U+' + c.toString(16).padStart(4, '0') };
  }
  const n = chars(buf);
  if (n > limit) return { ok: false, why: n + ' characters, over ' + limit };
  return { ok: true, why: '' };
}

// True when http/parse.c refuses the whole form for value (NUL, invalid UTF-8, a C0
// control other than \t \r \n, DEL: core/str.c str_utf8_valid), before any field is
// looked at: the answer is "The form could not be read", with no form to keep it in.
function unreadable(buf) {
  if (!utf8ok(buf)) return true;
  for (const c of buf) if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) return true;
  return false;
}

module.exports = { load, framed, verdict, utf8ok, chars, unreadable };
