/*
 * test_http_parse: the request parsers of http.h (src/http/parse.c). Every limit they
 * enforce is tried at N (accepted) and N+1 (ERR_TOOBIG), and each hostile input from
 * SECURITY.md's list is asserted to fail with the documented error and an empty result.
 */
#include <string.h>

#include "http/http.h"
#include "testlib.h"

static struct arena *arena;

/* A string of n copies of c, from the test arena. */
static char *
rep(char c, size_t n)
{
	char *s = arena_alloc(arena, n + 1);

	T_ASSERT(s != NULL);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static enum err
form(const char *s, struct http_form *f)
{
	return http_form_parse(arena, s, strlen(s), LIMIT_FORM_FIELDS, f);
}

/* Asserts that s fails with e and leaves the form empty. */
static void
form_fails(const char *s, enum err e)
{
	struct http_form f = {(struct http_kv *)1, 99};

	if (form(s, &f) != e)
		T_FAIL("form \"%s\": expected %s", s, err_str(e));
	T_ASSERT(f.n == 0 && f.fields == NULL);
}

static void
test_form_basic(void)
{
	struct http_form f;

	T_EQ_INT(form("a=1&b=hello+world&c=%41%62%e2%82%AC&d", &f), ERR_OK);
	T_EQ_INT(f.n, 4);
	T_EQ_STR(f.fields[0].name, "a");
	T_EQ_STR(http_form_get(&f, "a"), "1");
	T_EQ_STR(http_form_get(&f, "b"), "hello world");
	T_EQ_STR(http_form_get(&f, "c"), "Ab\xe2\x82\xac");
	T_EQ_INT(f.fields[2].value_len, 5);
	T_EQ_STR(http_form_get(&f, "d"), "");
	T_ASSERT(http_form_get(&f, "e") == NULL);
	T_ASSERT(http_form_get(NULL, "a") == NULL);

	/* empty pairs skipped; first value wins; '=' inside the value kept; %2B is '+' */
	T_EQ_INT(form("&&x=1&&x=2&y=a=b&z=%2B&", &f), ERR_OK);
	T_EQ_INT(f.n, 4);
	T_EQ_STR(http_form_get(&f, "x"), "1");
	T_EQ_STR(f.fields[1].value, "2");
	T_EQ_STR(http_form_get(&f, "y"), "a=b");
	T_EQ_STR(http_form_get(&f, "z"), "+");

	/* a name may be encoded too; textarea line breaks survive */
	T_EQ_INT(form("first+name=Ada&msg=l1%0D%0Al2", &f), ERR_OK);
	T_EQ_STR(http_form_get(&f, "first name"), "Ada");
	T_EQ_STR(http_form_get(&f, "msg"), "l1\r\nl2");

	/* explicit length: bytes after len are not read */
	T_EQ_INT(http_form_parse(arena, "a=12345", 4, 8, &f), ERR_OK);
	T_EQ_STR(http_form_get(&f, "a"), "12");

	T_EQ_INT(form("", &f), ERR_OK);
	T_EQ_INT(f.n, 0);
	T_EQ_INT(form("&&&", &f), ERR_OK);
	T_EQ_INT(f.n, 0);
}

static void
test_form_hostile(void)
{
	form_fails("a=%", ERR_INVAL);
	form_fails("a=%4", ERR_INVAL);
	form_fails("a=%zz", ERR_INVAL);
	form_fails("a=%4g", ERR_INVAL);
	form_fails("a=%%41", ERR_INVAL);
	form_fails("%=1", ERR_INVAL);
	form_fails("a=1&b=%00", ERR_INVAL);
	form_fails("a%00=1", ERR_INVAL);
	form_fails("a=%C0%AF", ERR_INVAL);       /* overlong '/' */
	form_fails("a=%E0%80%AF", ERR_INVAL);    /* overlong '/', three bytes */
	form_fails("a=%ED%A0%80", ERR_INVAL);    /* UTF-16 surrogate */
	form_fails("a=%F4%90%80%80", ERR_INVAL); /* beyond U+10FFFF */
	form_fails("a=%E2%82", ERR_INVAL);       /* truncated sequence */
	form_fails("a=%FF", ERR_INVAL);
	form_fails("a=\xff", ERR_INVAL); /* raw bytes are checked as well */
	form_fails("a=%01", ERR_INVAL);
	form_fails("%C0%AF=1", ERR_INVAL); /* names are checked like values */
	form_fails("\xff=1", ERR_INVAL);
	form_fails("a%01=1", ERR_INVAL);
	form_fails("=1", ERR_INVAL);
	form_fails("a=1&=2", ERR_INVAL);
	form_fails("=", ERR_INVAL);

	/* a raw NUL inside the given length is refused too */
	struct http_form f;
	T_EQ_INT(http_form_parse(arena, "a=b\0c", 5, 8, &f), ERR_INVAL);
	T_EQ_INT(f.n, 0);
	/* an escape cut by the length is bad even if hex digits follow it in memory */
	T_EQ_INT(http_form_parse(arena, "a=%41", 4, 8, &f), ERR_INVAL);
	T_EQ_INT(http_form_parse(arena, "a=%41", 3, 8, &f), ERR_INVAL);
	T_EQ_INT(http_form_parse(arena, "a%41=1", 3, 8, &f), ERR_INVAL);
}

static void
test_form_limits(void)
{
	struct http_form f;
	struct buf b;
	size_t i;

	/* LIMIT_FORM_NAME, in decoded bytes */
	T_EQ_INT(form(arena_printf(arena, "%s=1", rep('n', LIMIT_FORM_NAME)), &f), ERR_OK);
	T_EQ_INT(strlen(f.fields[0].name), LIMIT_FORM_NAME);
	form_fails(arena_printf(arena, "%s=1", rep('n', LIMIT_FORM_NAME + 1)), ERR_TOOBIG);
	form_fails(rep('n', LIMIT_FORM_NAME + 1), ERR_TOOBIG);
	/* "%41" is one decoded byte: 64 of them make a name of exactly the limit */
	buf_init(&b);
	for (i = 0; i < LIMIT_FORM_NAME; i++)
		buf_puts(&b, "%41");
	buf_puts(&b, "=1");
	T_EQ_INT(form(b.data, &f), ERR_OK);
	T_EQ_STR(f.fields[0].name, rep('A', LIMIT_FORM_NAME));
	buf_free(&b);

	/* LIMIT_FORM_FIELDS through max_fields; empty pairs do not count */
	buf_init(&b);
	for (i = 0; i < LIMIT_FORM_FIELDS; i++)
		buf_printf(&b, "f%zu=%zu&&", i, i);
	T_EQ_INT(form(b.data, &f), ERR_OK);
	T_EQ_INT(f.n, LIMIT_FORM_FIELDS);
	T_EQ_STR(http_form_get(&f, "f63"), "63");
	buf_puts(&b, "one=more");
	form_fails(b.data, ERR_TOOBIG);
	buf_free(&b);

	T_EQ_INT(http_form_parse(arena, "a=1&b=2", 7, 2, &f), ERR_OK);
	T_EQ_INT(f.n, 2);
	T_EQ_INT(http_form_parse(arena, "a=1&b=2&c", 9, 2, &f), ERR_TOOBIG);
	T_EQ_INT(f.n, 0);
	T_EQ_INT(http_form_parse(arena, "a", 1, 0, &f), ERR_TOOBIG);
	T_EQ_INT(http_form_parse(arena, "&", 1, 0, &f), ERR_OK);
}

static enum err
cookie(const char *h, struct http_form *f)
{
	return http_cookie_parse(arena, h, f);
}

static void
cookie_fails(const char *h, enum err e)
{
	struct http_form f = {(struct http_kv *)1, 99};

	if (cookie(h, &f) != e)
		T_FAIL("cookie \"%s\": expected %s", h, err_str(e));
	T_ASSERT(f.n == 0 && f.fields == NULL);
}

static void
test_cookie_basic(void)
{
	struct http_form f;

	T_EQ_INT(cookie("a=1; b=two; __Host-sid=AbC-_9.~", &f), ERR_OK);
	T_EQ_INT(f.n, 3);
	T_EQ_STR(http_form_get(&f, "a"), "1");
	T_EQ_STR(http_form_get(&f, "b"), "two");
	T_EQ_STR(http_form_get(&f, "__Host-sid"), "AbC-_9.~");
	T_EQ_INT(f.fields[2].value_len, 8);

	/* quotes removed; '=' in the value kept; no percent-decoding; lenient spacing */
	T_EQ_INT(cookie("q=\"x y\"; r=\"quoted\";s=a=b;  t = %41 ;;e=; \"\"", &f), ERR_OK);
	T_ASSERT(http_form_get(&f, "q") == NULL); /* space inside: skipped */
	T_EQ_STR(http_form_get(&f, "r"), "quoted");
	T_EQ_STR(http_form_get(&f, "s"), "a=b");
	T_EQ_STR(http_form_get(&f, "t"), "%41");
	T_EQ_STR(http_form_get(&f, "e"), "");
	T_EQ_INT(f.n, 4);

	/* invalid names and values are skipped, the rest kept */
	T_EQ_INT(cookie("bad name=1; (x)=2; =3; novalue; ok=1; c=a,b; d=\"open; e=\\x; "
	                "f=\xc3\xa9; g=\"\"",
	                &f),
	         ERR_OK);
	T_EQ_INT(f.n, 2);
	T_EQ_STR(f.fields[0].name, "ok");
	T_EQ_STR(http_form_get(&f, "g"), "");

	/* duplicates: the first (most specific path, as browsers order them) wins */
	T_EQ_INT(cookie("sid=first; sid=second", &f), ERR_OK);
	T_EQ_STR(http_form_get(&f, "sid"), "first");

	T_EQ_INT(cookie("", &f), ERR_OK);
	T_EQ_INT(f.n, 0);
	T_EQ_INT(cookie(NULL, &f), ERR_OK);
	T_EQ_INT(f.n, 0);
	T_EQ_INT(cookie(" ; ;", &f), ERR_OK);
	T_EQ_INT(f.n, 0);
}

static void
test_cookie_hostile(void)
{
	cookie_fails("a=1\r\nSet-Cookie: x=1", ERR_INVAL);
	cookie_fails("a=1\r", ERR_INVAL);
	cookie_fails("a=x\ny", ERR_INVAL);
	cookie_fails("a=1; b=\x01", ERR_INVAL);
	cookie_fails("a=1; b=\x7f", ERR_INVAL);
	/* a control character in a cookie that would be skipped still fails the header */
	cookie_fails("bad name=\r; a=1", ERR_INVAL);
}

static void
test_cookie_limits(void)
{
	struct http_form f;
	struct buf b;
	size_t i;

	T_EQ_INT(cookie(arena_printf(arena, "%s=1", rep('n', LIMIT_COOKIE_NAME)), &f), ERR_OK);
	T_EQ_INT(strlen(f.fields[0].name), LIMIT_COOKIE_NAME);
	cookie_fails(arena_printf(arena, "%s=1", rep('n', LIMIT_COOKIE_NAME + 1)), ERR_TOOBIG);

	T_EQ_INT(cookie(arena_printf(arena, "v=%s", rep('v', LIMIT_COOKIE_VALUE)), &f), ERR_OK);
	T_EQ_INT(f.fields[0].value_len, LIMIT_COOKIE_VALUE);
	cookie_fails(arena_printf(arena, "v=%s", rep('v', LIMIT_COOKIE_VALUE + 1)), ERR_TOOBIG);
	/* the quotes do not count */
	T_EQ_INT(cookie(arena_printf(arena, "v=\"%s\"", rep('v', LIMIT_COOKIE_VALUE)), &f), ERR_OK);
	T_EQ_INT(f.fields[0].value_len, LIMIT_COOKIE_VALUE);

	buf_init(&b);
	for (i = 0; i < LIMIT_COOKIES; i++)
		buf_printf(&b, "c%zu=%zu; bad name=x; ", i, i);
	T_EQ_INT(cookie(b.data, &f), ERR_OK);
	T_EQ_INT(f.n, LIMIT_COOKIES);
	T_EQ_STR(http_form_get(&f, "c31"), "31");
	buf_puts(&b, "one=more");
	cookie_fails(b.data, ERR_TOOBIG);
	buf_free(&b);
}

static enum err
split(const char *p, char ***segs, size_t *n)
{
	return http_path_split(arena, p, strlen(p), segs, n);
}

static void
path_fails(const char *p, enum err e)
{
	char **segs = (char **)1;
	size_t n = 99;

	if (split(p, &segs, &n) != e)
		T_FAIL("path \"%s\": expected %s", p, err_str(e));
	T_ASSERT(segs == NULL && n == 0);
}

static void
test_path_basic(void)
{
	char **s;
	size_t n;

	T_EQ_INT(split("/posts/hello%20world/", &s, &n), ERR_OK);
	T_EQ_INT(n, 2);
	T_EQ_STR(s[0], "posts");
	T_EQ_STR(s[1], "hello world");
	T_ASSERT(s[2] == NULL);

	T_EQ_INT(split("/", &s, &n), ERR_OK);
	T_EQ_INT(n, 0);
	T_ASSERT(s != NULL && s[0] == NULL);

	/* '+' is literal in a path; %2e alone or with letters is fine; UTF-8 decoded */
	T_EQ_INT(split("/a+b/%2e%2e%2e/.well-known/..x/caf%C3%A9/%e2%82%ac", &s, &n), ERR_OK);
	T_EQ_INT(n, 6);
	T_EQ_STR(s[0], "a+b");
	T_EQ_STR(s[1], "...");
	T_EQ_STR(s[2], ".well-known");
	T_EQ_STR(s[3], "..x");
	T_EQ_STR(s[4], "caf\xc3\xa9");
	T_EQ_STR(s[5], "\xe2\x82\xac");

	T_EQ_INT(http_path_split(arena, "/abc/def", 4, &s, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_STR(s[0], "abc");
}

static void
test_path_hostile(void)
{
	path_fails("", ERR_INVAL);
	path_fails("posts", ERR_INVAL);
	path_fails("//", ERR_INVAL);
	path_fails("/a//b", ERR_INVAL);
	path_fails("/a/b//", ERR_INVAL);
	path_fails("/../etc/passwd", ERR_INVAL);
	path_fails("/a/../b", ERR_INVAL);
	path_fails("/a/..", ERR_INVAL);
	path_fails("/a/../", ERR_INVAL);
	path_fails("/./a", ERR_INVAL);
	path_fails("/a/.", ERR_INVAL);
	path_fails("/%2e%2e/x", ERR_INVAL);
	path_fails("/%2E%2e", ERR_INVAL);
	path_fails("/.%2e", ERR_INVAL);
	path_fails("/%2e", ERR_INVAL);
	path_fails("/a%2Fb", ERR_INVAL);
	path_fails("/a%2fb", ERR_INVAL);
	path_fails("/%", ERR_INVAL);
	path_fails("/%4", ERR_INVAL);
	path_fails("/%zz", ERR_INVAL);
	path_fails("/a%00", ERR_INVAL);
	path_fails("/a%0A", ERR_INVAL);
	path_fails("/a%09", ERR_INVAL);
	path_fails("/a%7F", ERR_INVAL);
	path_fails("/a\r", ERR_INVAL);
	path_fails("/%C0%AF", ERR_INVAL);
	path_fails("/%C0%AE%C0%AE", ERR_INVAL); /* overlong ".." */
	path_fails("/%ff", ERR_INVAL);

	char **s;
	size_t n;
	T_EQ_INT(http_path_split(arena, "/a\0b", 4, &s, &n), ERR_INVAL);
	T_EQ_INT(http_path_split(arena, "/%41", 3, &s, &n), ERR_INVAL);
	T_EQ_INT(http_path_split(arena, "/%41", 2, &s, &n), ERR_INVAL);
}

static void
test_path_limits(void)
{
	char **s;
	size_t n, i;
	struct buf b;

	T_EQ_INT(split(arena_printf(arena, "/%s/", rep('s', LIMIT_PATH_SEGMENT)), &s, &n), ERR_OK);
	T_EQ_INT(strlen(s[0]), LIMIT_PATH_SEGMENT);
	path_fails(arena_printf(arena, "/%s", rep('s', LIMIT_PATH_SEGMENT + 1)), ERR_TOOBIG);
	/* decoded bytes count: 256 escapes fit, 257 do not */
	buf_init(&b);
	buf_putc(&b, '/');
	for (i = 0; i < LIMIT_PATH_SEGMENT; i++)
		buf_puts(&b, "%41");
	T_EQ_INT(split(b.data, &s, &n), ERR_OK);
	T_EQ_STR(s[0], rep('A', LIMIT_PATH_SEGMENT));
	buf_puts(&b, "%41");
	path_fails(b.data, ERR_TOOBIG);
	buf_free(&b);

	buf_init(&b);
	for (i = 0; i < LIMIT_PATH_SEGMENTS; i++)
		buf_printf(&b, "/s%zu", i);
	T_EQ_INT(split(b.data, &s, &n), ERR_OK);
	T_EQ_INT(n, LIMIT_PATH_SEGMENTS);
	T_EQ_STR(s[LIMIT_PATH_SEGMENTS - 1], "s15");
	T_ASSERT(s[LIMIT_PATH_SEGMENTS] == NULL);
	buf_putc(&b, '/'); /* a trailing slash adds no segment */
	T_EQ_INT(split(b.data, &s, &n), ERR_OK);
	T_EQ_INT(n, LIMIT_PATH_SEGMENTS);
	buf_putc(&b, 'x');
	path_fails(b.data, ERR_TOOBIG);
	buf_free(&b);

	/* a huge path costs a bounded amount of arena */
	{
		struct arena *big = arena_new();
		size_t len = 1024 * 1024;
		char *p = rep('a', len);
		size_t before;

		T_ASSERT(big != NULL);
		for (i = 0; i < len; i += 200)
			p[i] = '/';
		before = arena_used(big);
		T_EQ_INT(http_path_split(big, p, len, &s, &n), ERR_TOOBIG);
		T_ASSERT(arena_used(big) - before < 8 * 1024);
		arena_free(big);
	}
}

static void
host_is(const char *in, const char *want)
{
	char out[LIMIT_HOST_BYTES + 1];
	enum err e = http_host_parse(in, out, sizeof(out));

	if (e != ERR_OK)
		T_FAIL("host \"%s\": %s", in, err_str(e));
	T_EQ_STR(out, want);
}

static void
host_fails(const char *in, enum err e)
{
	char out[LIMIT_HOST_BYTES + 1] = "junk";

	if (http_host_parse(in, out, sizeof(out)) != e)
		T_FAIL("host \"%s\": expected %s", in, err_str(e));
	T_EQ_STR(out, "");
}

static void
test_host(void)
{
	char small[8];

	host_is("example.com", "example.com");
	host_is("HOST.Example.COM:8080", "host.example.com");
	host_is("example.com.", "example.com");
	host_is("Example.COM.:443", "example.com");
	host_is("localhost:1", "localhost");
	host_is("x:65535", "x");
	host_is("my-site.example", "my-site.example");
	host_is("127.0.0.1:8080", "127.0.0.1");
	host_is("[::1]:80", "[::1]");
	host_is("[::1]", "[::1]");
	host_is("[2001:DB8::A]", "[2001:db8::a]");
	host_is("[::ffff:192.0.2.1]:8443", "[::ffff:192.0.2.1]");

	host_fails(NULL, ERR_INVAL);
	host_fails("", ERR_INVAL);
	host_fails("a@b", ERR_INVAL);
	host_fails("user:pass@example.com", ERR_INVAL);
	host_fails("x:", ERR_INVAL);
	host_fails("x:0", ERR_INVAL);
	host_fails("x:65536", ERR_INVAL);
	host_fails("x:8a", ERR_INVAL);
	host_fails("x:-1", ERR_INVAL);
	host_fails("x:+80", ERR_INVAL);
	host_fails("x:800000", ERR_INVAL);
	host_fails("x:80:80", ERR_INVAL);
	host_fails(":80", ERR_INVAL);
	host_fails(".", ERR_INVAL);
	host_fails("..", ERR_INVAL);
	host_fails("a..b", ERR_INVAL);
	host_fails(".example.com", ERR_INVAL);
	host_fails("example.com..", ERR_INVAL);
	host_fails("exa mple.com", ERR_INVAL);
	host_fails(" example.com", ERR_INVAL);
	host_fails("example.com/", ERR_INVAL);
	host_fails("ex_ample.com", ERR_INVAL);
	host_fails("ex%41mple.com", ERR_INVAL);
	host_fails("caf\xc3\xa9.example", ERR_INVAL);
	host_fails("::1", ERR_INVAL);
	host_fails("[::1", ERR_INVAL);
	host_fails("[]", ERR_INVAL);
	host_fails("[::1]x", ERR_INVAL);
	host_fails("[::1]:", ERR_INVAL);
	host_fails("[::1]:0", ERR_INVAL);
	host_fails("[1.2.3.4]", ERR_INVAL);
	host_fails("[example.com]", ERR_INVAL);
	host_fails("[fe80::1%25eth0]", ERR_INVAL);
	host_fails("[::g]", ERR_INVAL);

	/* LIMIT_HOST_BYTES: N accepted, N+1 refused; neither port nor final dot count */
	host_is(rep('a', LIMIT_HOST_BYTES), rep('a', LIMIT_HOST_BYTES));
	host_is(arena_printf(arena, "%s.:80", rep('a', LIMIT_HOST_BYTES)),
	        rep('a', LIMIT_HOST_BYTES));
	host_fails(rep('a', LIMIT_HOST_BYTES + 1), ERR_TOOBIG);
	host_fails(arena_printf(arena, "%s:80", rep('a', LIMIT_HOST_BYTES + 1)), ERR_TOOBIG);

	/* the limit holds whatever the buffer size */
	{
		char big[2 * LIMIT_HOST_BYTES];

		T_EQ_INT(http_host_parse(rep('a', LIMIT_HOST_BYTES), big, sizeof(big)), ERR_OK);
		T_EQ_INT(strlen(big), LIMIT_HOST_BYTES);
		T_EQ_INT(http_host_parse(rep('a', LIMIT_HOST_BYTES + 1), big, sizeof(big)),
		         ERR_TOOBIG);
		T_EQ_STR(big, "");
	}

	/* outsize: the name and its NUL must fit */
	T_EQ_INT(http_host_parse("abcdefg:1", small, sizeof(small)), ERR_OK);
	T_EQ_STR(small, "abcdefg");
	T_EQ_INT(http_host_parse("abcdefgh", small, sizeof(small)), ERR_TOOBIG);
	T_EQ_STR(small, "");
	T_EQ_INT(http_host_parse("a", small, 0), ERR_TOOBIG);
}

static void
test_url_encode(void)
{
	struct buf b;
	struct http_form f;
	char **s;
	size_t n;
	const char *nasty = "a b/c?d&e=f+g%h#i\"<>\xc3\xa9~._-";

	buf_init(&b);
	http_url_encode(&b, "AZaz09-._~");
	T_EQ_STR(b.data, "AZaz09-._~");
	buf_reset(&b);
	http_url_encode(&b, nasty);
	T_EQ_STR(b.data, "a%20b%2Fc%3Fd%26e%3Df%2Bg%25h%23i%22%3C%3E%C3%A9~._-");
	buf_reset(&b);
	http_url_encode(&b, "");
	http_url_encode(&b, NULL);
	T_ASSERT(b.data == NULL || b.data[0] == '\0');

	/* round trips through both decoders */
	buf_reset(&b);
	buf_puts(&b, "v=");
	http_url_encode(&b, nasty);
	T_EQ_INT(http_form_parse(arena, b.data, b.len, 4, &f), ERR_OK);
	T_EQ_STR(http_form_get(&f, "v"), nasty);
	buf_reset(&b);
	buf_putc(&b, '/');
	http_url_encode(&b, nasty + 4); /* a path segment cannot hold the '/' */
	T_EQ_INT(split(b.data, &s, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_STR(s[0], nasty + 4);
	buf_free(&b);
}

int
main(void)
{
	T_ASSERT((arena = arena_new()) != NULL);
	test_form_basic();
	test_form_hostile();
	test_form_limits();
	test_cookie_basic();
	test_cookie_hostile();
	test_cookie_limits();
	test_path_basic();
	test_path_hostile();
	test_path_limits();
	test_host();
	test_url_encode();
	arena_free(arena);
	return 0;
}
