/*
 * parse: the bounded request parsers of http.h (urlencoded forms and query strings,
 * Cookie headers, request paths, Host) and the URL encoder that is their inverse.
 *
 * Invariants, relied on by the router, the handlers and the fuzz targets in fuzz/:
 * - every parser is pure: no globals, no I/O, memory only from the caller's arena
 *   (http_host_parse writes only into the caller's buffer);
 * - one left-to-right pass over the input, no recursion, and the memory taken is
 *   bounded by the input length and by core/limits.h, whatever the input;
 * - a %-escape is '%' and exactly two hex digits, either case; anything else is
 *   ERR_INVAL, never passed through;
 * - every string handed out is NUL-terminated valid UTF-8 without NUL (forms, paths)
 *   or printable ASCII (cookies, hosts); path segments are never "", "." or ".." and
 *   never contain '/' or a control character;
 * - on error the output is empty (form n == 0, no segments, host "").
 */
#include <arpa/inet.h>
#include <string.h>

#include "http/http.h"

/* Decoding rules for parse_unescape. */
enum parse_unescape_flags {
	PARSE_PLUS_IS_SPACE = 1 << 0, /* urlencoded forms: '+' means ' ' */
	PARSE_PATH = 1 << 1,          /* path segments: reject '/' and every control */
};

/* Longest decoded output http_path_split can produce before it must fail. */
#define PARSE_PATH_MAX_OUT (LIMIT_PATH_SEGMENTS * (LIMIT_PATH_SEGMENT + 1))

/* Longest IPv6 literal text, without brackets ("ffff:...:255.255.255.255"). */
#define PARSE_IPV6_MAX 45

static int
parse_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes src[0..n) into dst, which must hold n bytes (decoding never grows).
 * Stops with ERR_TOOBIG before writing byte max+1, so dst needs at most max bytes
 * whatever n is. ERR_INVAL for a '%' not followed by two hex digits, a decoded NUL
 * and, with PARSE_PATH, a decoded '/' or any C0 control or DEL. UTF-8 validity is the
 * caller's check, on the decoded bytes. Does not NUL-terminate.
 */
static enum err
parse_unescape(const char *src, size_t n, unsigned flags, size_t max, char *dst, size_t *outlen)
{
	size_t i, o = 0;
	unsigned char c;
	int hi, lo;

	for (i = 0; i < n; i++) {
		c = (unsigned char)src[i];
		if (c == '%') {
			if (n - i < 3 || (hi = parse_hex((unsigned char)src[i + 1])) < 0 ||
			    (lo = parse_hex((unsigned char)src[i + 2])) < 0)
				return ERR_INVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && (flags & PARSE_PLUS_IS_SPACE)) {
			c = ' ';
		}
		if (c == '\0')
			return ERR_INVAL;
		if ((flags & PARSE_PATH) && (c == '/' || c < 0x20 || c == 0x7f))
			return ERR_INVAL;
		if (o == max)
			return ERR_TOOBIG;
		dst[o++] = (char)c;
	}
	*outlen = o;
	return ERR_OK;
}

/*
 * Form and query parsing. The decoded strings of all pairs share one arena buffer of
 * len+1 bytes: a pair "name=value" of r raw bytes decodes to at most r-1 bytes, and its
 * '=' and the following '&' (or the extra byte at the end) hold the two NULs. A pair
 * without '=' gets the static "" as its value. The field array is sized by counting
 * the '&' first, capped at max_fields, so a million empty pairs cost nothing.
 */
enum err
http_form_parse(struct arena *a, const char *s, size_t len, size_t max_fields,
                struct http_form *out)
{
	struct http_kv *fields = NULL;
	const char *pair, *amp, *eq, *p;
	size_t n = 0, cap = 1, i, plen, nlen, dlen;
	char *dst;
	enum err e;

	out->fields = NULL;
	out->n = 0;
	if (s == NULL || len == 0)
		return ERR_OK;
	for (p = s; cap <= max_fields && (amp = memchr(p, '&', len - (size_t)(p - s))); p = amp + 1)
		cap++;
	if (cap > max_fields)
		cap = max_fields;
	if ((dst = arena_alloc(a, len + 1)) == NULL)
		return ERR_NOMEM;
	if (cap > 0 && (fields = arena_alloc(a, cap * sizeof(*fields))) == NULL)
		return ERR_NOMEM;

	for (i = 0; i < len; i += plen + 1) {
		pair = s + i;
		amp = memchr(pair, '&', len - i);
		plen = amp ? (size_t)(amp - pair) : len - i;
		if (plen == 0)
			continue;
		if (n == max_fields)
			return ERR_TOOBIG;
		eq = memchr(pair, '=', plen);
		nlen = eq ? (size_t)(eq - pair) : plen;

		e = parse_unescape(pair, nlen, PARSE_PLUS_IS_SPACE, LIMIT_FORM_NAME, dst, &dlen);
		if (e != ERR_OK)
			return e;
		if (dlen == 0 || !str_utf8_valid(dst, dlen))
			return ERR_INVAL;
		dst[dlen] = '\0';
		fields[n].name = dst;
		dst += dlen + 1;

		if (eq == NULL) {
			fields[n].value = "";
			fields[n].value_len = 0;
		} else {
			e = parse_unescape(eq + 1, plen - nlen - 1, PARSE_PLUS_IS_SPACE, SIZE_MAX,
			                   dst, &dlen);
			if (e != ERR_OK)
				return e;
			if (!str_utf8_valid(dst, dlen))
				return ERR_INVAL;
			dst[dlen] = '\0';
			fields[n].value = dst;
			fields[n].value_len = dlen;
			dst += dlen + 1;
		}
		n++;
	}
	out->fields = fields;
	out->n = n;
	return ERR_OK;
}

const char *
http_form_get(const struct http_form *f, const char *name)
{
	size_t i;

	if (f == NULL || name == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

/* RFC 7230 tchar: what a cookie name (a token) may contain. */
static bool
parse_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 6265 cookie-octet: printable ASCII except space, DQUOTE, ',', ';' and '\'. */
static bool
parse_is_cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

/*
 * Cookie header parsing, RFC 6265 §5.4 as sent and §5.2 as parsed: pairs split on ';',
 * SP and HTAB trimmed around the pair, the name and the value. A control character
 * anywhere (other than HTAB) fails the whole header: no browser sends one, so it is an
 * attack or a broken proxy. A pair whose name is not a token, that has no '=', or whose
 * value (quotes removed) is not all cookie-octets is skipped, not fatal: other
 * applications on the same host may set cookies we would not, and they must not lock
 * visitors out of candor. Only kept cookies count towards LIMIT_COOKIES.
 */
enum err
http_cookie_parse(struct arena *a, const char *header, struct http_form *out)
{
	struct http_kv *fields;
	const char *p, *start, *end, *eq, *name_end, *value;
	size_t n = 0, nlen, vlen, k;
	bool keep;

	out->fields = NULL;
	out->n = 0;
	if (header == NULL || *header == '\0')
		return ERR_OK;
	if ((fields = arena_alloc(a, LIMIT_COOKIES * sizeof(*fields))) == NULL)
		return ERR_NOMEM;

	for (p = header; *p != '\0';) {
		for (start = p; *p != '\0' && *p != ';'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
				return ERR_INVAL;
		end = p;
		if (*p == ';')
			p++;
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (start == end || (eq = memchr(start, '=', (size_t)(end - start))) == NULL)
			continue;
		for (name_end = eq;
		     name_end > start && (name_end[-1] == ' ' || name_end[-1] == '\t');)
			name_end--;
		for (value = eq + 1; value < end && (*value == ' ' || *value == '\t');)
			value++;
		nlen = (size_t)(name_end - start);
		vlen = (size_t)(end - value);

		keep = nlen > 0;
		for (k = 0; keep && k < nlen; k++)
			keep = parse_is_tchar((unsigned char)start[k]);
		if (!keep)
			continue;
		if (nlen > LIMIT_COOKIE_NAME)
			return ERR_TOOBIG;
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value++;
			vlen -= 2;
		}
		for (k = 0; keep && k < vlen; k++)
			keep = parse_is_cookie_octet((unsigned char)value[k]);
		if (!keep)
			continue;
		if (vlen > LIMIT_COOKIE_VALUE || n == LIMIT_COOKIES)
			return ERR_TOOBIG;
		fields[n].name = arena_strndup(a, start, nlen);
		fields[n].value = arena_strndup(a, value, vlen);
		fields[n].value_len = vlen;
		if (fields[n].name == NULL || fields[n].value == NULL)
			return ERR_NOMEM;
		n++;
	}
	out->fields = fields;
	out->n = n;
	return ERR_OK;
}

/*
 * Path splitting. All segments share one arena buffer: a segment of r raw bytes decodes
 * to at most r bytes and the '/' before it pays for its NUL. The buffer is also capped
 * at PARSE_PATH_MAX_OUT, since the segment and per-segment limits stop decoding before
 * that, so a huge path costs no more than a legal one. The segment array has
 * LIMIT_PATH_SEGMENTS + 1 slots and stays NULL-terminated.
 */
enum err
http_path_split(struct arena *a, const char *path, size_t len, char ***segs, size_t *nsegs)
{
	char **out, *dst;
	const char *seg, *slash;
	size_t n = 0, i, slen, dlen, cap;
	enum err e;

	*segs = NULL;
	*nsegs = 0;
	if (path == NULL || len == 0 || path[0] != '/')
		return ERR_INVAL;
	cap = len < PARSE_PATH_MAX_OUT ? len : PARSE_PATH_MAX_OUT;
	if ((dst = arena_alloc(a, cap + 1)) == NULL ||
	    (out = arena_alloc(a, (LIMIT_PATH_SEGMENTS + 1) * sizeof(*out))) == NULL)
		return ERR_NOMEM;

	for (i = 1; i < len; i += slen + 1) {
		seg = path + i;
		slash = memchr(seg, '/', len - i);
		slen = slash ? (size_t)(slash - seg) : len - i;
		if (slen == 0)
			return ERR_INVAL; /* "//": the trailing '/' ends the loop instead */
		if (n == LIMIT_PATH_SEGMENTS)
			return ERR_TOOBIG;
		e = parse_unescape(seg, slen, PARSE_PATH, LIMIT_PATH_SEGMENT, dst, &dlen);
		if (e != ERR_OK)
			return e;
		if ((dlen == 1 && dst[0] == '.') || (dlen == 2 && dst[0] == '.' && dst[1] == '.'))
			return ERR_INVAL;
		if (!str_utf8_valid(dst, dlen))
			return ERR_INVAL;
		/* A backslash (raw or %5C) has no use in our addresses, and browsers read
		 * "/\\host" as "//host": refusing it keeps every redirect same-origin. */
		if (memchr(dst, '\\', dlen) != NULL)
			return ERR_INVAL;
		dst[dlen] = '\0';
		out[n++] = dst;
		dst += dlen + 1;
	}
	*segs = out;
	*nsegs = n;
	return ERR_OK;
}

/* A port: 1 to 5 digits, 1..65535, through strnum (house rule 5). */
static bool
parse_port_valid(const char *port)
{
	long long v;
	size_t k;

	for (k = 0; port[k] != '\0'; k++)
		if (port[k] < '0' || port[k] > '9' || k == 5)
			return false;
	return k > 0 && strnum(port, 1, 65535, &v) == ERR_OK;
}

/*
 * Validates the bracketed IPv6 literal v[0..n) ("[...]", brackets included) with
 * inet_pton on a lowercased copy. Zone ids ("%25eth0") are refused: a Host header has
 * no use for them.
 */
static bool
parse_ipv6_valid(const char *v, size_t n)
{
	char tmp[PARSE_IPV6_MAX + 1];
	struct in6_addr addr;
	size_t k;
	char c;

	if (n < 3 || n - 2 > PARSE_IPV6_MAX)
		return false;
	for (k = 0; k < n - 2; k++) {
		c = v[k + 1];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
			return false;
		tmp[k] = c;
	}
	tmp[n - 2] = '\0';
	return inet_pton(AF_INET6, tmp, &addr) == 1;
}

/*
 * Host normalisation. The name part ends at ']' for IPv6 literals and at the first ':'
 * otherwise (so an unbracketed IPv6 address fails as a bad port). Character and label
 * checks come first (ERR_INVAL), then the lengths (ERR_TOOBIG): LIMIT_HOST_BYTES is
 * counted without the port and without the trailing dot. Labels are not capped at 63
 * bytes: the contract is the character set, and nothing here resolves names.
 */
enum err
http_host_parse(const char *value, char *out, size_t outsize)
{
	const char *close, *port = NULL;
	size_t len, nlen, k;
	char c;

	if (outsize > 0)
		out[0] = '\0';
	if (value == NULL || value[0] == '\0')
		return ERR_INVAL;
	len = strlen(value);
	if (value[0] == '[') {
		if ((close = memchr(value, ']', len)) == NULL)
			return ERR_INVAL;
		nlen = (size_t)(close - value) + 1;
		if (!parse_ipv6_valid(value, nlen))
			return ERR_INVAL;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return ERR_INVAL;
	} else {
		if ((close = memchr(value, ':', len)) != NULL)
			port = close + 1;
		nlen = close ? (size_t)(close - value) : len;
		for (k = 0; k < nlen; k++) {
			c = value[k];
			if (c == '.') {
				if (k == 0 || value[k - 1] == '.')
					return ERR_INVAL; /* empty label */
			} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			             (c >= '0' && c <= '9') || c == '-')) {
				return ERR_INVAL;
			}
		}
		if (nlen > 0 && value[nlen - 1] == '.')
			nlen--;
		if (nlen == 0)
			return ERR_INVAL;
	}
	if (port != NULL && !parse_port_valid(port))
		return ERR_INVAL;
	if (nlen > LIMIT_HOST_BYTES || nlen >= outsize)
		return ERR_TOOBIG;
	for (k = 0; k < nlen; k++) {
		c = value[k];
		out[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[nlen] = '\0';
	return ERR_OK;
}

/*
 * Percent-encodes everything but RFC 3986 unreserved characters, so the result is safe
 * in a path segment, a query name or value, and inside an HTML attribute. Runs of
 * unreserved bytes are appended in one call.
 */
void
http_url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p, *run;
	unsigned char c;
	char esc[3];

	if (s == NULL)
		return;
	for (p = run = s; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			continue;
		buf_append(b, run, (size_t)(p - run));
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_append(b, esc, sizeof(esc));
		run = p + 1;
	}
	buf_append(b, run, (size_t)(p - run));
}

bool
http_seg_secret(const char *seg)
{
	size_t n = strspn(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

	return n >= 32 && seg[n] == '\0' && strpbrk(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
}

size_t
http_path_record(char *const *segs, size_t nsegs, const char *token, char *out,
    size_t outsize)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = 0, i, need, mark;
	const unsigned char *c;

	if (outsize < 2) {
		if (outsize)
			out[0] = '\0';
		return 0;
	}
	for (i = 0; i < nsegs; i++) {
		mark = len;
		if (len + 1 >= outsize)
			break;
		out[len++] = '/';
		if ((token && segs[i] == token) || http_seg_secret(segs[i])) {
			if (len + 6 >= outsize) {
				len = mark;
				break;
			}
			memcpy(out + len, ":token", 6);
			len += 6;
			continue;
		}
		for (c = (const unsigned char *)segs[i]; *c; c++) {
			bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
			    *c == '~';
			need = plain ? 1 : 3;
			if (len + need >= outsize)
				break;
			if (plain) {
				out[len++] = (char)*c;
			} else {
				out[len++] = '%';
				out[len++] = hex[*c >> 4];
				out[len++] = hex[*c & 15];
			}
		}
		if (*c) { /* the segment did not fit: cut before it */
			len = mark;
			break;
		}
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return len;
}

enum err
http_forwarded_last(const char *value, char *out, size_t outsize)
{
	unsigned char bin[sizeof(struct in6_addr)];
	const char *last;
	size_t n;

	if (outsize > 0)
		out[0] = '\0';
	if (value == NULL || outsize == 0)
		return ERR_INVAL;
	last = strrchr(value, ',');
	last = last ? last + 1 : value;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (last[n + strspn(last + n, " \t")] != '\0' || n == 0)
		return ERR_INVAL; /* something after the address, or nothing */
	if (n >= outsize)
		return ERR_TOOBIG;
	memcpy(out, last, n);
	out[n] = '\0';
	if (inet_pton(AF_INET, out, bin) != 1 && inet_pton(AF_INET6, out, bin) != 1) {
		out[0] = '\0';
		return ERR_INVAL;
	}
	return ERR_OK;
}
