/*
 * test_analytics_classify: the classifier of src/analytics/classify.c.
 *
 * 1. Accuracy (issue 7, item 2): every case of Debian's uap-core test corpus
 *    (/usr/share/uap-core/tests/test_ua.yaml, package uap-core, installed by
 *    scripts/deps.sh test) whose expected family maps into our list is classified, and
 *    the family must agree for at least 97% of them. The figure is printed. A missing
 *    corpus fails the test (install uap-core), it never skips.
 *
 *    uap-core family -> ours (anything not listed is left out of the figure, including
 *    uap's own "Other", bots such as "HeadlessChrome" or "YandexBot", and "Chrome Frame",
 *    which is Internet Explorer with a plugin):
 *      Chrome                                        -> Chrome
 *      Chrome Mobile, Chrome Mobile iOS,
 *      Chrome Mobile WebView                         -> Chrome Mobile
 *      Firefox, Firefox Beta, Firefox Alpha,
 *      "Firefox (Code name)" (pre-release builds)    -> Firefox
 *      Firefox Mobile, Firefox iOS                   -> Firefox Mobile
 *      Safari                                        -> Safari
 *      Mobile Safari, Mobile Safari UI/WKWebView     -> Mobile Safari (an iOS web view
 *                                                       is Safari's engine on a phone)
 *      Edge, Edge Mobile                             -> Edge (we keep no mobile Edge)
 *      Opera, Opera Mini, Opera Mobile, Opera Tablet,
 *      Opera Coast, Opera Neon, Opera Touch          -> Opera
 *      Samsung Internet                              -> Samsung Internet
 *      Yandex Browser                                -> Yandex
 *      UC Browser                                    -> UC Browser
 *    Printed too, for information: the agreement on the major version of those cases
 *    (uap reads some versions from build numbers we do not translate), and how many of
 *    the cases left out we still count as one of our families (apps' web views and
 *    lesser WebKit browsers seen as their engine, which uap names apart).
 *
 * 2. Hand-written cases: current browsers, bots, an empty and a huge User-Agent (the
 *    LIMIT_UA_BYTES bound at N and N+1), and Accept-Language and Referer values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "testlib.h"

#define UAP_CORPUS "/usr/share/uap-core/tests/test_ua.yaml"

struct family_map {
	const char *uap;
	enum analytics_family ours;
};

static const struct family_map family_map[] = {
    {"Chrome", ANALYTICS_CHROME},
    {"Chrome Mobile", ANALYTICS_CHROME_MOBILE},
    {"Chrome Mobile iOS", ANALYTICS_CHROME_MOBILE},
    {"Chrome Mobile WebView", ANALYTICS_CHROME_MOBILE},
    {"Firefox", ANALYTICS_FIREFOX},
    {"Firefox Beta", ANALYTICS_FIREFOX},
    {"Firefox Alpha", ANALYTICS_FIREFOX},
    {"Firefox Mobile", ANALYTICS_FIREFOX_MOBILE},
    {"Firefox iOS", ANALYTICS_FIREFOX_MOBILE},
    {"Safari", ANALYTICS_SAFARI},
    {"Mobile Safari", ANALYTICS_MOBILE_SAFARI},
    {"Mobile Safari UI/WKWebView", ANALYTICS_MOBILE_SAFARI},
    {"Edge", ANALYTICS_EDGE},
    {"Edge Mobile", ANALYTICS_EDGE},
    {"Opera", ANALYTICS_OPERA},
    {"Opera Mini", ANALYTICS_OPERA},
    {"Opera Mobile", ANALYTICS_OPERA},
    {"Opera Tablet", ANALYTICS_OPERA},
    {"Opera Coast", ANALYTICS_OPERA},
    {"Opera Neon", ANALYTICS_OPERA},
    {"Opera Touch", ANALYTICS_OPERA},
    {"Samsung Internet", ANALYTICS_SAMSUNG_INTERNET},
    {"Yandex Browser", ANALYTICS_YANDEX},
    {"UC Browser", ANALYTICS_UC_BROWSER},
};

/* Our family for a uap-core family, or ANALYTICS_OTHER when it is left out. */
static enum analytics_family
map_family(const char *uap)
{
	size_t i;

	for (i = 0; i < COUNTOF(family_map); i++)
		if (strcmp(family_map[i].uap, uap) == 0)
			return family_map[i].ours;
	if (strncmp(uap, "Firefox (", 9) == 0)
		return ANALYTICS_FIREFOX;
	return ANALYTICS_OTHER;
}

/*
 * Decodes the YAML scalar in s (up to the end of the line) in place: 'single' (''
 * is a quote), "double" (backslash escapes \\ \" \n \t \/), or plain (trimmed; a
 * " #" starts a comment). Returns s.
 */
static char *
yaml_scalar(char *s)
{
	char *r, *w, q;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	q = *s;
	if (q == '\'' || q == '"') {
		for (r = s + 1, w = s; *r; r++) {
			if (q == '\'' && r[0] == '\'' && r[1] == '\'')
				*w++ = *r++;
			else if (*r == q)
				break;
			else if (q == '"' && r[0] == '\\' && r[1]) {
				r++;
				*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
			} else
				*w++ = *r;
		}
		T_ASSERT(*r == q); /* the corpus has no multi-line scalars */
		*w = '\0';
		return s;
	}
	if ((r = strstr(s, " #")) != NULL)
		*r = '\0';
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			    s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

struct uap_case {
	char *ua;
	char *family;
	char *major;
};

struct uap_score {
	size_t cases, compared, agree, major_agree;
	size_t claimed; /* cases left out that we still put in one of our families */
};

static void
uap_score_case(const struct uap_case *c, struct uap_score *sc)
{
	struct analytics_ua got;
	enum analytics_family want;
	long long major = 0;

	sc->cases++;
	if (c->ua == NULL || c->family == NULL)
		T_FAIL("uap-core case %zu has no user_agent_string or family", sc->cases);
	want = map_family(c->family);
	analytics_classify_ua(c->ua, strlen(c->ua), &got);
	if (want == ANALYTICS_OTHER) {
		if (got.family != ANALYTICS_OTHER && !got.bot)
			sc->claimed++;
		return;
	}
	sc->compared++;
	if (got.family == want)
		sc->agree++;
	else
		printf("disagree: want %s (uap %s), got %s: %s\n", analytics_family_name(want),
		    c->family, analytics_family_name(got.family), c->ua);
	if (c->major && *c->major && strnum(c->major, 0, ANALYTICS_MAJOR_MAX, &major) != ERR_OK)
		major = 0;
	if (got.family == want && got.major == major)
		sc->major_agree++;
}

static void
test_uap_corpus(void)
{
	struct uap_case c = {NULL, NULL, NULL};
	struct uap_score sc = {0, 0, 0, 0, 0};
	char *text, *line, *next, *key, *val;
	size_t len;
	double pct;

	if ((text = t_read_file(UAP_CORPUS, &len)) == NULL)
		T_FAIL("the uap-core test corpus %s is missing: install the Debian package "
		       "uap-core (scripts/deps.sh test) to measure the classifier's accuracy",
		    UAP_CORPUS);
	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = line + strspn(line, " \t");
		if (key[0] == '-' && key[1] == ' ') {
			if (c.ua || c.family)
				uap_score_case(&c, &sc);
			c.ua = c.family = c.major = NULL;
			key += 2;
			key += strspn(key, " \t");
		}
		if ((val = strchr(key, ':')) == NULL || key[0] == '#')
			continue;
		*val++ = '\0';
		if (strcmp(key, "user_agent_string") == 0)
			c.ua = yaml_scalar(val);
		else if (strcmp(key, "family") == 0)
			c.family = yaml_scalar(val);
		else if (strcmp(key, "major") == 0)
			c.major = yaml_scalar(val);
	}
	if (c.ua || c.family)
		uap_score_case(&c, &sc);
	free(text);
	if (sc.cases < 1000 || sc.compared < 50)
		T_FAIL("the uap-core corpus looks truncated: %zu cases, %zu in our families",
		    sc.cases, sc.compared);
	pct = 100.0 * (double)sc.agree / (double)sc.compared;
	printf("uap-core agreement: %.1f%% of %zu (%zu of %zu corpus cases are in our "
	       "families; major version also agrees for %zu)\n",
	    pct, sc.compared, sc.compared, sc.cases, sc.major_agree);
	printf("of the %zu cases left out (other browsers, apps, bots), %zu are counted by us "
	       "as one of our families, mostly apps' web views and WebKit browsers seen as "
	       "their engine\n",
	    sc.cases - sc.compared, sc.claimed);
	if (sc.agree * 100 < sc.compared * 97)
		T_FAIL("uap-core agreement %.1f%% is below 97%%", pct);
}

struct ua_case {
	const char *ua;
	const char *family;
	int major;
	bool bot;
};

static const struct ua_case ua_cases[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36",
	"Chrome", 124, false},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Mobile Safari/537.36",
	"Chrome Mobile", 124, false},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
	"Chrome Mobile", 124, false},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", 125,
	false},
    {"Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0", "Firefox Mobile",
	125, false},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.4 Safari/605.1.15",
	"Safari", 17, false},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	"Mobile Safari", 17, false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
	"Edge", 124, false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0",
	"Opera", 109, false},
    {"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
     "Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
	"Samsung Internet", 24, false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
	"Yandex", 24, false},
    {"Mozilla/5.0 (Linux; U; Android 10; en-US; RMX2020) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
	"UC Browser", 13, false},
    /* other browsers that look like Chrome or Safari */
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 Vivaldi/6.7.3329.17",
	"Other", 0, false},
    {"Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebKit/534.30 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
	"Other", 0, false},
    {"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Other", 0,
	false},
    /* a phone maker whose name holds "bot" */
    {"Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/90.0.4430.210 Mobile Safari/537.36",
	"Chrome Mobile", 90, false},
    /* bots: the family is what they claim, the flag is what counts */
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Other", 0,
	true},
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html) Chrome/124.0.6367.91 Safari/537.36",
	"Chrome", 124, true},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "Other", 0,
	true},
    {"Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
	"Other", 0, true},
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "Other", 0, true},
    {"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)", "Other", 0,
	true},
    {"CCBot/2.0 (https://commoncrawl.org/faq/)", "Other", 0, true},
    {"Screaming Frog SEO Spider/19.0", "Other", 0, true},
    {"curl/8.5.0", "Other", 0, true},
    {"Wget/1.21.3", "Other", 0, true},
    {"python-requests/2.31.0", "Other", 0, true},
    {"Go-http-client/1.1", "Other", 0, true},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/124.0.0.0 Safari/537.36",
	"Chrome", 124, true},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Other", 0,
	true},
    /* edge cases */
    {"", "Other", 0, true},
    {"Mozilla/5.0", "Other", 0, false},
    {"Chrome/", "Chrome", 0, false},
    {"Chrome/123456789", "Chrome", 0, false}, /* a build number, not a major version */
    {"Chrome/99999.1", "Chrome", 99999, false},
    {"Firefox/x", "Firefox", 0, false},
};

static void
check_ua(const char *ua, size_t len, const char *family, int major, bool bot)
{
	struct analytics_ua got;

	analytics_classify_ua(ua, len, &got);
	if (strcmp(analytics_family_name(got.family), family) != 0 || got.major != major ||
	    got.bot != bot)
		T_FAIL("\"%.80s\": got %s %d %s, want %s %d %s", ua,
		    analytics_family_name(got.family), got.major, got.bot ? "bot" : "human", family,
		    major, bot ? "bot" : "human");
}

static void
test_ua_cases(void)
{
	char *huge;
	size_t i;
	const char *chrome = " Chrome/124";
	size_t cn = strlen(chrome);

	for (i = 0; i < COUNTOF(ua_cases); i++)
		check_ua(ua_cases[i].ua, strlen(ua_cases[i].ua), ua_cases[i].family,
		    ua_cases[i].major, ua_cases[i].bot);
	check_ua(NULL, 0, "Other", 0, true);
	T_EQ_STR(analytics_family_name(ANALYTICS_FAMILY__MAX), "Other");
	T_EQ_STR(analytics_family_name((enum analytics_family)-1), "Other");

	/* LIMIT_UA_BYTES at N and N+1: a token ending exactly at the bound counts, one
	 * byte later it is not read; a huge string is classified from its prefix. The
	 * buffers are exactly as long as given, so AddressSanitizer sees any over-read. */
	T_ASSERT((huge = malloc(4 * LIMIT_UA_BYTES)) != NULL);
	memset(huge, ' ', 4 * LIMIT_UA_BYTES);
	memcpy(huge + LIMIT_UA_BYTES - cn, chrome, cn); /* "Chrome/124" ends at byte N */
	check_ua(huge, 4 * LIMIT_UA_BYTES, "Chrome", 124, false);
	memcpy(huge + LIMIT_UA_BYTES - cn + 1, chrome, cn); /* ...at N+1: "4" is not read */
	check_ua(huge, 4 * LIMIT_UA_BYTES, "Chrome", 12, false);
	memset(huge, ' ', 4 * LIMIT_UA_BYTES);
	memcpy(huge + LIMIT_UA_BYTES - 6, chrome + 1, cn - 1); /* "Chrome" in, "/" out */
	check_ua(huge, 4 * LIMIT_UA_BYTES, "Other", 0, false);
	memcpy(huge + LIMIT_UA_BYTES, "bot", 3);
	check_ua(huge, 4 * LIMIT_UA_BYTES, "Other", 0, false);
	memcpy(huge + LIMIT_UA_BYTES - 3, "bot", 3);
	check_ua(huge, 4 * LIMIT_UA_BYTES, "Other", 0, true);
	free(huge);
}

struct text_case {
	const char *in;
	const char *want;
};

static const struct text_case lang_cases[] = {
    {"de-CH,de;q=0.9,en;q=0.8", "de"},
    {"en-US", "en"},
    {"EN-gb", "en"},
    {"fr;q=0.5, de;q=0.7, *;q=1", "de"},
    {"*", ""},
    {"", ""},
    {"da, en-gb;q=0.8, en;q=0.7", "da"},
    {"en;q=0.5,fr;q=0.5", "en"},     /* a tie: the first */
    {"en;q=0,fr;q=0.001", "fr"},     /* q=0 is "not acceptable" */
    {"en;q=0", ""},
    {"en;q=1.5,fr", "fr"},           /* a malformed weight drops its range */
    {"en;q=0.1234,fr;q=0.1", "fr"},  /* four decimals is malformed */
    {"en;q=1.000,fr", "en"},
    {"x-klingon,i-enochian,nl;q=0.1", "nl"}, /* singletons are not languages */
    {"zh-Hant-TW;q=0.9 , ja ;q=0.95", "ja"},
    {"abcdefghi,de", "de"},          /* a primary subtag of 9 letters is invalid */
    {"de-toolongsubtag,fr", "fr"},
    {"en_US,it", "it"},
    {"1en,es", "es"},
    {"en;level=1,pt", "pt"},
    {",,, ,sv", "sv"},
    {"tlh;q=0.9", "tlh"},
};

static const struct text_case referrer_cases[] = {
    {"https://www.Example.com/path?q=1#x", "www.example.com"},
    {"http://example.com:8080/", "example.com"},
    {"https://user:pw@host.example.org/a", "host.example.org"},
    {"https://example.com", "example.com"},
    {"https://example.com.?x", "example.com"},
    {"https://[2001:DB8::1]:443/", "[2001:db8::1]"},
    {"http://192.0.2.7/x", "192.0.2.7"},
    {"android-app://com.google.android.gm/", "com.google.android.gm"},
    {"", ""},
    {"example.com/path", ""},
    {"/relative/path", ""},
    {"https://", ""},
    {"https:///path", ""},
    {"https://exa mple.com/", ""},
    {"https://ex%41mple.com/", ""},
    {"https://a..b/", ""},
    {"https://.a/", ""},
    {"https://example.com:80x/", ""},
    {"https://[::1/", ""},
    {"1http://example.com/", ""},
    {"javascript:alert(1)", ""},
};

static void
test_language(void)
{
	char out[ANALYTICS_LANG_BYTES];
	char *big;
	size_t i, n;

	for (i = 0; i < COUNTOF(lang_cases); i++) {
		analytics_language(lang_cases[i].in, strlen(lang_cases[i].in), out);
		if (strcmp(out, lang_cases[i].want) != 0)
			T_FAIL("Accept-Language \"%s\": got \"%s\", want \"%s\"", lang_cases[i].in,
			    out, lang_cases[i].want);
	}
	analytics_language(NULL, 0, out);
	T_EQ_STR(out, "");
	/* LIMIT_ACCEPT_LANGUAGE_BYTES: a range ending at the bound is read, one cut by it
	 * is not, nor anything after it */
	n = 2 * LIMIT_ACCEPT_LANGUAGE_BYTES;
	T_ASSERT((big = malloc(n)) != NULL);
	memset(big, ',', n);
	memcpy(big + LIMIT_ACCEPT_LANGUAGE_BYTES - 3, ",de", 3);
	analytics_language(big, n, out);
	T_EQ_STR(out, "de");
	memset(big, ',', n);
	memcpy(big + LIMIT_ACCEPT_LANGUAGE_BYTES - 2, ",de", 3);
	analytics_language(big, n, out);
	T_EQ_STR(out, "");
	memcpy(big + LIMIT_ACCEPT_LANGUAGE_BYTES + 10, ",fr", 3);
	analytics_language(big, n, out);
	T_EQ_STR(out, "");
	free(big);
}

static void
test_referrer(void)
{
	char out[ANALYTICS_HOST_BYTES];
	char *big;
	size_t i, n;

	for (i = 0; i < COUNTOF(referrer_cases); i++) {
		analytics_referrer_host(referrer_cases[i].in, strlen(referrer_cases[i].in), out);
		if (strcmp(out, referrer_cases[i].want) != 0)
			T_FAIL("Referer \"%s\": got \"%s\", want \"%s\"", referrer_cases[i].in, out,
			    referrer_cases[i].want);
	}
	analytics_referrer_host(NULL, 0, out);
	T_EQ_STR(out, "");
	/* a host of LIMIT_HOST_BYTES is kept, one byte more is not (labels of 63) */
	n = LIMIT_HOST_BYTES + 16;
	T_ASSERT((big = malloc(n + 1)) != NULL);
	memcpy(big, "http://", 7);
	for (i = 0; i < LIMIT_HOST_BYTES; i++)
		big[7 + i] = i % 64 == 63 ? '.' : 'a';
	big[7 + LIMIT_HOST_BYTES] = '\0';
	analytics_referrer_host(big, strlen(big), out);
	T_EQ_INT(strlen(out), LIMIT_HOST_BYTES);
	big[7 + LIMIT_HOST_BYTES] = 'a';
	big[8 + LIMIT_HOST_BYTES] = '\0';
	analytics_referrer_host(big, strlen(big), out);
	T_EQ_STR(out, "");
	free(big);
	/* LIMIT_REFERRER_BYTES: a host must end within the bound */
	n = 2 * LIMIT_REFERRER_BYTES;
	T_ASSERT((big = malloc(n)) != NULL);
	memset(big, 'a', n);
	memcpy(big, "http://", 7);
	memcpy(big + 7, "example.com@", 12);
	memcpy(big + LIMIT_REFERRER_BYTES - 6, "@h.io/", 6); /* ends at byte N */
	analytics_referrer_host(big, n, out);
	T_EQ_STR(out, "h.io");
	memcpy(big + LIMIT_REFERRER_BYTES - 6, "a@h.io", 6); /* would end at byte N+1 */
	analytics_referrer_host(big, n, out);
	T_EQ_STR(out, "");
	analytics_referrer_host(big, LIMIT_REFERRER_BYTES, out); /* the value ends at N */
	T_EQ_STR(out, "h.io");
	free(big);
}

int
main(void)
{
	test_ua_cases();
	test_language();
	test_referrer();
	test_uap_corpus();
	return 0;
}
