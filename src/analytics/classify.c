/*
 * classify: the request classifier of visitor analytics. Three pure functions, each a
 * bounded scan of one header value into a fixed-size result:
 *
 * - User-Agent -> family, major version, bot. A table of ordered rules: each rule needs
 *   all of its tokens (case-sensitive substrings, as browsers write them) and names the
 *   tokens its version follows. Order matters because browsers copy each other's
 *   tokens: Edge, Samsung Internet, Yandex, UC and Opera all say "Chrome/", Chrome says
 *   "Safari/", so they come first; the mobile variant of a family comes before the
 *   family. A few other browsers that also say "Chrome/" or "Safari/" (Vivaldi, Brave,
 *   QQ, Silk, ...) are matched as Other before Chrome, so they are not counted as Chrome.
 *   Bots are found by a second, case-insensitive token list, independent of the family.
 * - Accept-Language -> primary language subtag of the best-weighted range.
 * - Referer -> host.
 *
 * Invariants: nothing is allocated; no input byte past the given length (nor past the
 * LIMIT_* bound) is read; every output is one of the documented shapes.
 */
#include <string.h>

#include "analytics/analytics.h"

static const char *const family_names[ANALYTICS_FAMILY__MAX] = {
    [ANALYTICS_OTHER] = "Other",
    [ANALYTICS_CHROME] = "Chrome",
    [ANALYTICS_CHROME_MOBILE] = "Chrome Mobile",
    [ANALYTICS_FIREFOX] = "Firefox",
    [ANALYTICS_FIREFOX_MOBILE] = "Firefox Mobile",
    [ANALYTICS_SAFARI] = "Safari",
    [ANALYTICS_MOBILE_SAFARI] = "Mobile Safari",
    [ANALYTICS_EDGE] = "Edge",
    [ANALYTICS_OPERA] = "Opera",
    [ANALYTICS_SAMSUNG_INTERNET] = "Samsung Internet",
    [ANALYTICS_YANDEX] = "Yandex",
    [ANALYTICS_UC_BROWSER] = "UC Browser",
};

const char *
analytics_family_name(enum analytics_family f)
{
	if ((unsigned)f >= ANALYTICS_FAMILY__MAX)
		return family_names[ANALYTICS_OTHER];
	return family_names[f];
}

/* One rule: the family when every token of need occurs; the major version follows the
 * first token of version that occurs with a digit after it. */
struct ua_rule {
	enum analytics_family family;
	const char *need[3];
	const char *version[4];
};

static const struct ua_rule ua_rules[] = {
    /* Chromium-based browsers that name themselves after Chrome/ */
    {ANALYTICS_EDGE, {"Edg/"}, {"Edg/"}},
    {ANALYTICS_EDGE, {"Edge/"}, {"Edge/"}},
    {ANALYTICS_EDGE, {"EdgA/"}, {"EdgA/"}},
    {ANALYTICS_EDGE, {"EdgiOS/"}, {"EdgiOS/"}},
    {ANALYTICS_SAMSUNG_INTERNET, {"SamsungBrowser/"}, {"SamsungBrowser/"}},
    {ANALYTICS_YANDEX, {"YaBrowser/"}, {"YaBrowser/"}},
    /* UC before Opera: UC's old UAs carry "Opera Mini/" */
    {ANALYTICS_UC_BROWSER, {"UCBrowser"}, {"UCBrowser/", "UCBrowser"}},
    {ANALYTICS_UC_BROWSER, {"UCWEB"}, {"UCWEB/", "UCWEB"}},
    {ANALYTICS_UC_BROWSER, {"UC Browser"}, {"UC Browser"}},
    {ANALYTICS_UC_BROWSER, {"UBrowser/"}, {"UBrowser/"}},
    {ANALYTICS_OPERA, {"OPR/"}, {"OPR/"}},
    {ANALYTICS_OPERA, {"OPiOS/"}, {"OPiOS/"}},
    {ANALYTICS_OPERA, {"Coast/", "AppleWebKit"}, {"Coast/"}},
    {ANALYTICS_OPERA, {" MMS/", "Chrome/"}, {" MMS/"}}, /* Opera Neon */
    {ANALYTICS_OPERA, {"Opera Mini/"}, {"Opera Mini/"}},
    {ANALYTICS_OPERA, {"Opera"}, {"Version/", "Opera/", "Opera "}},
    /* other browsers that say Chrome/ or Safari/ or Firefox/: not counted as those */
    {ANALYTICS_OTHER, {"Vivaldi/"}, {NULL}},
    {ANALYTICS_OTHER, {"Brave"}, {NULL}},
    {ANALYTICS_OTHER, {"Whale/"}, {NULL}},
    {ANALYTICS_OTHER, {"QQBrowser"}, {NULL}},
    {ANALYTICS_OTHER, {"MQQBrowser"}, {NULL}},
    {ANALYTICS_OTHER, {"Maxthon"}, {NULL}},
    {ANALYTICS_OTHER, {"coc_coc_browser"}, {NULL}},
    {ANALYTICS_OTHER, {"Silk/"}, {NULL}},
    {ANALYTICS_OTHER, {"Puffin/"}, {NULL}},
    {ANALYTICS_OTHER, {"FBAN/"}, {NULL}},
    {ANALYTICS_OTHER, {"FBAV/"}, {NULL}},
    {ANALYTICS_OTHER, {"PaleMoon/"}, {NULL}},
    {ANALYTICS_OTHER, {"SeaMonkey/"}, {NULL}},
    {ANALYTICS_OTHER, {"MSIE "}, {NULL}},
    {ANALYTICS_OTHER, {"Trident/"}, {NULL}},
    /* Firefox: mobile first */
    {ANALYTICS_FIREFOX_MOBILE, {"FxiOS/"}, {"FxiOS/"}},
    {ANALYTICS_FIREFOX_MOBILE, {"Firefox", "Mobile"}, {"Firefox/"}},
    {ANALYTICS_FIREFOX_MOBILE, {"Firefox", "Tablet"}, {"Firefox/"}},
    {ANALYTICS_FIREFOX_MOBILE, {"Firefox", "Android"}, {"Firefox/"}},
    {ANALYTICS_FIREFOX, {"Firefox"}, {"Firefox/", "Firefox-"}},
    /* Firefox pre-release builds named by their code names */
    {ANALYTICS_FIREFOX, {"Gecko/", "Minefield/"}, {"Minefield/"}},
    {ANALYTICS_FIREFOX, {"Gecko/", "Shiretoko/"}, {"Shiretoko/"}},
    {ANALYTICS_FIREFOX, {"Gecko/", "Namoroka/"}, {"Namoroka/"}},
    {ANALYTICS_FIREFOX, {"Gecko/", "GranParadiso/"}, {"GranParadiso/"}},
    {ANALYTICS_FIREFOX, {"Gecko/", "BonEcho/"}, {"BonEcho/"}},
    /* Chrome: mobile first (CriOS is Chrome on iOS; "Mobile" marks phones) */
    {ANALYTICS_CHROME_MOBILE, {"CriOS/"}, {"CriOS/"}},
    {ANALYTICS_CHROME_MOBILE, {"Chrome/", "Mobile"}, {"Chrome/"}},
    {ANALYTICS_CHROME, {"Chrome/"}, {"Chrome/"}},
    {ANALYTICS_CHROME, {"Chromium/"}, {"Chromium/"}},
    /* Android's old stock browser says "Version/4.0 Mobile Safari/": not Safari */
    {ANALYTICS_OTHER, {"Android", "Version/"}, {NULL}},
    /* Safari: on iOS any WebKit view is Mobile Safari (apps' web views included) */
    {ANALYTICS_MOBILE_SAFARI, {"iPhone", "AppleWebKit"}, {"Version/"}},
    {ANALYTICS_MOBILE_SAFARI, {"iPad", "AppleWebKit"}, {"Version/"}},
    {ANALYTICS_MOBILE_SAFARI, {"iPod", "AppleWebKit"}, {"Version/"}},
    {ANALYTICS_MOBILE_SAFARI, {"Safari", "Mobile/"}, {"Version/"}},
    {ANALYTICS_OTHER, {"Safari/", "Android"}, {NULL}}, /* never Safari on Android */
    {ANALYTICS_SAFARI, {"Safari/"}, {"Version/"}},
};

/* Known bots, crawlers, HTTP libraries and headless browsers, matched ignoring ASCII
 * case. "bot" is generic, so "Cubot" (a phone maker in Android UAs) is excepted. */
static const char *const bot_tokens[] = {
    "bot",          "crawl",           "spider",          "slurp",       "curl/",
    "wget",         "python-requests", "python-urllib",   "python/",     "aiohttp/",
    "httpx/",       "headlesschrome",  "phantomjs",       "go-http-client",
    "java/",        "okhttp",          "libwww-perl",     "lwp::",       "httpclient",
    "axios/",       "node-fetch",      "undici",          "scrapy",      "feedfetcher",
    "mediapartners", "facebookexternalhit", "ia_archiver", "lighthouse", "pingdom",
    "uptimerobot",  "monitor",         "archiver",        "httrack",     "nutch",
    "yahoo! slurp", "bingpreview",     "google-read-aloud", "headless",  "selenium",
    "puppeteer",    "playwright",      "scanner",         "validator",   "preview",
};

/* The first occurrence of needle in hay[0..n), case-sensitive, or NULL. */
static const char *
find(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;
	const char *p;

	for (i = 0; m > 0 && i + m <= n; i = (size_t)(p - hay) + 1) {
		if ((p = memchr(hay + i, needle[0], n - m + 1 - i)) == NULL)
			return NULL;
		if (memcmp(p, needle, m) == 0)
			return p;
	}
	return NULL;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_bot(const char *ua, size_t n)
{
	char low[LIMIT_UA_BYTES];
	const char *p, *end;
	size_t i;

	if (n == 0)
		return true; /* no browser sends an empty User-Agent */
	/* one lower-case copy, then memchr/memcmp per token: this runs on every request */
	for (i = 0; i < n; i++)
		low[i] = lower(ua[i]);
	end = low + n;
	for (i = 0; i < COUNTOF(bot_tokens); i++) {
		for (p = find(low, n, bot_tokens[i]); p != NULL;
		     p = find(p + 1, (size_t)(end - p - 1), bot_tokens[i])) {
			if (i == 0 && p - low >= 2 && p[-2] == 'c' && p[-1] == 'u')
				continue; /* "Cubot" */
			return true;
		}
	}
	return false;
}

/* The number right after token (one '/' or ' ' skipped), or -1 when none. */
static int
version_after(const char *ua, size_t n, const char *token)
{
	const char *p = find(ua, n, token), *end = ua + n;
	long v = 0;
	int digits = 0;

	if (p == NULL)
		return -1;
	p += strlen(token);
	if (p < end && (*p == '/' || *p == ' '))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 5)
			return 0; /* longer than ANALYTICS_MAJOR_MAX: a build number, unknown */
		v = v * 10 + (*p - '0');
	}
	return digits ? (int)v : -1;
}

void
analytics_classify_ua(const char *ua, size_t len, struct analytics_ua *out)
{
	const struct ua_rule *r;
	size_t n = len < LIMIT_UA_BYTES ? len : LIMIT_UA_BYTES, i, k;
	int v;

	out->family = ANALYTICS_OTHER;
	out->major = 0;
	if (ua == NULL)
		n = 0;
	out->bot = is_bot(ua, n);
	for (i = 0; i < COUNTOF(ua_rules); i++) {
		r = &ua_rules[i];
		for (k = 0; k < COUNTOF(r->need) && r->need[k]; k++)
			if (find(ua, n, r->need[k]) == NULL)
				break;
		if (k < COUNTOF(r->need) && r->need[k])
			continue;
		out->family = r->family;
		for (k = 0; k < COUNTOF(r->version) && r->version[k]; k++)
			if ((v = version_after(ua, n, r->version[k])) >= 0) {
				out->major = v;
				break;
			}
		return;
	}
}

/* ---- Accept-Language ---- */

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses a weight "0[.ddd]" or "1[.000]" in s[0..n) into thousandths; -1 if malformed. */
static int
parse_q(const char *s, size_t n)
{
	int q, i, scale = 100;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < (int)n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* One element "range[;q=w]" (parameters other than q make it malformed) in s[0..n):
 * writes the primary subtag into lang (lower case) and returns its weight, or -1. */
static int
parse_language_range(const char *s, size_t n, char lang[ANALYTICS_LANG_BYTES])
{
	size_t i = 0, start, sub;
	int q = 1000;

	while (n > 0 && is_ows(s[n - 1]))
		n--;
	while (i < n && is_ows(s[i]))
		i++;
	start = i;
	while (i < n && is_alpha(s[i]))
		i++;
	sub = i - start;
	if (sub < 2 || sub > 8)
		return -1; /* "*", a singleton ("x", "i"), empty or too long */
	for (size_t k = 0; k < sub; k++)
		lang[k] = lower(s[start + k]);
	lang[sub] = '\0';
	while (i < n && s[i] == '-') {
		size_t b = ++i;
		while (i < n && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9')))
			i++;
		if (i - b < 1 || i - b > 8)
			return -1;
	}
	while (i < n && is_ows(s[i]))
		i++;
	if (i == n)
		return q;
	if (s[i++] != ';')
		return -1;
	while (i < n && is_ows(s[i]))
		i++;
	if (n - i < 2 || (s[i] != 'q' && s[i] != 'Q') || s[i + 1] != '=')
		return -1;
	return parse_q(s + i + 2, n - i - 2);
}

void
analytics_language(const char *value, size_t len, char out[ANALYTICS_LANG_BYTES])
{
	char lang[ANALYTICS_LANG_BYTES];
	size_t n = len < LIMIT_ACCEPT_LANGUAGE_BYTES ? len : LIMIT_ACCEPT_LANGUAGE_BYTES;
	size_t i = 0, end;
	int best = 0, q;

	out[0] = '\0';
	if (value == NULL)
		return;
	/* a value cut at the bound loses its last element unless a ',' ends it there */
	if (len > n && value[n] != ',')
		while (n > 0 && value[n - 1] != ',')
			n--;
	while (i < n) {
		for (end = i; end < n && value[end] != ','; end++)
			;
		q = parse_language_range(value + i, end - i, lang);
		if (q > best) {
			best = q;
			memcpy(out, lang, sizeof(lang));
		}
		i = end + 1;
	}
}

/* ---- Referer ---- */

void
analytics_referrer_host(const char *value, size_t len, char out[ANALYTICS_HOST_BYTES])
{
	size_t n = len < LIMIT_REFERRER_BYTES ? len : LIMIT_REFERRER_BYTES;
	size_t i, auth, end, host, hend, label = 0, o = 0, k;
	bool ipv6;

	out[0] = '\0';
	if (value == NULL || n == 0 || !is_alpha(value[0]))
		return;
	/* scheme ":" "//" */
	for (i = 1; i < n && (is_alpha(value[i]) || (value[i] >= '0' && value[i] <= '9') ||
				 value[i] == '+' || value[i] == '-' || value[i] == '.');
	     i++)
		;
	if (n - i < 3 || memcmp(value + i, "://", 3) != 0)
		return;
	auth = i + 3;
	for (end = auth; end < n && !strchr("/?#", value[end]); end++)
		if (value[end] == '\0')
			return;
	if (end == n && len > n)
		return; /* the authority runs past the bound */
	/* userinfo ends at the last '@' of the authority */
	host = auth;
	for (k = auth; k < end; k++)
		if (value[k] == '@')
			host = k + 1;
	ipv6 = host < end && value[host] == '[';
	if (ipv6) {
		for (hend = host + 1; hend < end && value[hend] != ']'; hend++)
			;
		if (hend == end || hend == host + 1)
			return;
		hend++;
	} else {
		for (hend = host; hend < end && value[hend] != ':'; hend++)
			;
	}
	if (hend < end) {
		/* ":" port, digits only (an empty port is allowed by RFC 3986) */
		if (value[hend] != ':')
			return;
		for (k = hend + 1; k < end; k++)
			if (value[k] < '0' || value[k] > '9')
				return;
	}
	if (!ipv6 && hend > host && value[hend - 1] == '.')
		hend--; /* "example.com." is example.com */
	if (hend == host || hend - host > LIMIT_HOST_BYTES)
		return;
	for (k = host; k < hend; k++) {
		char c = lower(value[k]);

		if (ipv6) {
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' ||
			      c == '.' || c == '[' || c == ']'))
				goto bad;
			if ((c == '[' && k != host) || (c == ']' && k != hend - 1))
				goto bad;
		} else if (c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
			if (++label > 63)
				goto bad;
		} else {
			goto bad;
		}
		out[o++] = c;
	}
	if (!ipv6 && label == 0)
		goto bad;
	out[o] = '\0';
	return;
bad:
	out[0] = '\0';
}
