/*
 * test_form: declared form tables (web/form.c, house rule 5). Each kind at its limit N
 * and N+1 (over-long input refused, never cut), required and missing fields, empty
 * values, fields sent twice, unknown fields ignored, control characters (C0, DEL, C1;
 * line breaks only in multi-line text), invalid UTF-8, and the error sentence naming the
 * field's label.
 */
#include "core/core.h"
#include "http/http.h"
#include "testlib.h"
#include "web/web_int.h"

static const struct form_field signup[] = {
    {"username", "Username", FORM_USERNAME, LIMIT_USERNAME_MAX, true, 0, 0},
    {"email", "Email address", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, true, 0, 0},
    {"password", "Password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0, 0},
    {"accept_policy", "I accept the privacy policy", FORM_CHECKBOX, 0, true, 0, 0},
};

static const struct form_field misc[] = {
    {"title", "Title", FORM_TEXT, 10, false, 0, 0},
    {"body", "Comment", FORM_MULTILINE, 20, false, 0, 0},
    {"count", "Count", FORM_INTEGER, 0, false, 1, 100},
    {"news", "Send me news", FORM_CHECKBOX, 0, false, 0, 0},
};

static struct arena *arena;
static char msg[256];

/* form_read on a urlencoded body; the parsed form and values are for the caller. */
static enum err
readf(const struct form_field *fields, size_t n, const char *body, struct form_values *v)
{
	struct http_form f;

	if (http_form_parse(arena, body, strlen(body), LIMIT_FORM_FIELDS, &f) != ERR_OK)
		T_FAIL("http_form_parse refused %s", body);
	return form_read(&f, fields, n, v, msg, sizeof(msg));
}

/* form_read on one field built by hand: for values http_form_parse already refuses
 * (C0 controls but \t \r \n, invalid UTF-8), which form_read must refuse on its own. */
static enum err
readraw(const struct form_field *fields, size_t n, const char *name, const char *value,
    struct form_values *v)
{
	struct http_kv kv = {name, value, strlen(value)};
	struct http_form f = {&kv, 1};

	return form_read(&f, fields, n, v, msg, sizeof(msg));
}

/* Builds "name=" + n copies of c (a string, possibly multi-byte) into the arena. */
static const char *
rep(const char *name, const char *c, size_t n)
{
	struct buf b;
	char *s;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "%s=", name);
	for (i = 0; i < n; i++)
		buf_puts(&b, c);
	s = arena_strdup(arena, b.data);
	buf_free(&b);
	return s;
}

static void
test_signup(void)
{
	struct form_values v;
	char body[1024];

	T_EQ_INT(readf(signup, COUNTOF(signup), "username=alice_1&email=a%40example.org&"
	    "password=correct+horse+battery&accept_policy=on&csrf=x&extra=ignored", &v), ERR_OK);
	T_EQ_INT(v.n, 4);
	T_EQ_STR(v.values[0].text, "alice_1");
	T_EQ_STR(v.values[1].text, "a@example.org");
	T_EQ_STR(v.values[2].text, "correct horse battery");
	T_ASSERT(v.values[3].present);
	T_EQ_STR(msg, "");

	/* required: missing, empty, unticked; the sentence names the field */
	T_EQ_INT(readf(signup, COUNTOF(signup), "email=a%40example.org&password=x&"
	    "accept_policy=on", &v), ERR_INVAL);
	T_EQ_STR(msg, "Username is required.");
	T_EQ_INT(v.n, 0);
	T_EQ_INT(readf(signup, COUNTOF(signup), "username=&email=a%40example.org&password=x&"
	    "accept_policy=on", &v), ERR_INVAL);
	T_EQ_STR(msg, "Username is required.");
	T_EQ_INT(readf(signup, COUNTOF(signup), "username=alice&email=a%40example.org&"
	    "password=x", &v), ERR_INVAL);
	T_EQ_STR(msg, "I accept the privacy policy must be ticked.");
	T_EQ_INT(readf(signup, COUNTOF(signup), "username=alice&email=a%40example.org&"
	    "password=x&accept_policy=yes", &v), ERR_INVAL);
	T_CONTAINS(msg, "I accept the privacy policy");
	/* sent twice: refused, not "first one wins" */
	T_EQ_INT(readf(signup, COUNTOF(signup), "username=alice&username=bob&"
	    "email=a%40example.org&password=x&accept_policy=on", &v), ERR_INVAL);
	T_EQ_STR(msg, "Username was sent more than once.");
	/* the label falls back to the name */
	{
		static const struct form_field nolabel[] = {
		    {"nick", NULL, FORM_TEXT, 5, true, 0, 0}};
		T_EQ_INT(readf(nolabel, 1, "", &v), ERR_INVAL);
		T_EQ_STR(msg, "nick is required.");
	}
	snprintf(body, sizeof(body), "username=Al.ice&email=a%%40example.org&password=x&"
	    "accept_policy=on");
	T_EQ_INT(readf(signup, COUNTOF(signup), body, &v), ERR_INVAL);
	T_CONTAINS(msg, "Username must be 3 to 32 characters");
}

static void
test_username(void)
{
	struct form_values v;
	static const struct form_field f[] = {
	    {"u", "Username", FORM_USERNAME, LIMIT_USERNAME_MAX, true, 0, 0}};
	static const char *ok[] = {"u=abc", "u=0-_", "u=a_b-c", "u=_abc", "u=-abc", "u=ABC"};
	static const char *bad[] = {"u=ab", "u=a.b", "u=.abc", "u=a_b-c.d", "u=ab+c",
	    "u=ab%C3%A9", "u=a%2Fb", "u=ab%40c"};
	size_t i;

	for (i = 0; i < COUNTOF(ok); i++)
		T_EQ_INT(readf(f, 1, ok[i], &v), ERR_OK);
	for (i = 0; i < COUNTOF(bad); i++) {
		T_EQ_INT(readf(f, 1, bad[i], &v), ERR_INVAL);
		T_CONTAINS(msg, "Username");
	}
	T_EQ_INT(readf(f, 1, rep("u", "a", LIMIT_USERNAME_MIN), &v), ERR_OK);
	T_EQ_INT(readf(f, 1, rep("u", "a", LIMIT_USERNAME_MIN - 1), &v), ERR_INVAL);
	T_EQ_INT(readf(f, 1, rep("u", "a", LIMIT_USERNAME_MAX), &v), ERR_OK);
	T_EQ_INT(readf(f, 1, rep("u", "a", LIMIT_USERNAME_MAX + 1), &v), ERR_INVAL);
	T_CONTAINS(msg, "Username is too long: at most 32 characters, and this has 33.");
}

static void
test_email(void)
{
	struct form_values v;
	static const struct form_field f[] = {
	    {"e", "Email address", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, true, 0, 0}};
	static const char *ok[] = {"e=a%40b.c", "e=first.last%2Btag%40mail.example.org",
	    "e=J%C3%BCrgen%40example.de"};
	static const char *bad[] = {"e=ab", "e=a.example.org", "e=%40example.org",
	    "e=a%40example", "e=a%40%40example.org", "e=a%40b%40example.org",
	    "e=a+b%40example.org", "e=a%40.example.org", "e=a%40example.org.",
	    "e=a%40example..org", "e=%3Ca%40example.org%3E", "e=a%40example.org%0D%0ABcc:x"};
	char *local;
	size_t i;

	for (i = 0; i < COUNTOF(ok); i++)
		T_EQ_INT(readf(f, 1, ok[i], &v), ERR_OK);
	for (i = 0; i < COUNTOF(bad); i++) {
		T_EQ_INT(readf(f, 1, bad[i], &v), ERR_INVAL);
		T_CONTAINS(msg, "Email address");
	}
	/* 254 bytes: local part + "@example.org" (12 bytes) */
	local = arena_alloc(arena, 512);
	memset(local, 'a', LIMIT_FORM_EMAIL_BYTES - 12);
	snprintf(local + LIMIT_FORM_EMAIL_BYTES - 12, 64, "%%40example.org");
	T_EQ_INT(readf(f, 1, arena_printf(arena, "e=%s", local), &v), ERR_OK);
	T_EQ_INT(v.values[0].len, LIMIT_FORM_EMAIL_BYTES);
	T_EQ_INT(readf(f, 1, arena_printf(arena, "e=a%s", local), &v), ERR_INVAL);
	T_CONTAINS(msg, "Email address is too long: at most 254 characters");
}

static void
test_password(void)
{
	struct form_values v;
	static const struct form_field f[] = {
	    {"p", "Password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0, 0}};

	/* characters, not bytes: 128 four-byte characters pass, 129 do not */
	T_EQ_INT(readf(f, 1, rep("p", "%F0%9F%94%91", LIMIT_PASSWORD_MAX_CHARS), &v), ERR_OK);
	T_EQ_INT(v.values[0].len, 4 * LIMIT_PASSWORD_MAX_CHARS);
	T_EQ_INT(readf(f, 1, rep("p", "%F0%9F%94%91", LIMIT_PASSWORD_MAX_CHARS + 1), &v),
	    ERR_INVAL);
	T_EQ_STR(msg, "Password is too long: at most 128 characters, and this has 129.");
	/* kept exactly, spaces included */
	T_EQ_INT(readf(f, 1, "p=+two++spaces+", &v), ERR_OK);
	T_EQ_STR(v.values[0].text, " two  spaces ");
	T_EQ_INT(readf(f, 1, "p=tab%09inside", &v), ERR_INVAL);
	T_CONTAINS(msg, "Password contains characters that cannot be used");
	T_EQ_INT(readraw(f, 1, "p", "bad\x01", &v), ERR_INVAL);
	T_CONTAINS(msg, "Password contains characters that cannot be used");
}

static void
test_text(void)
{
	struct form_values v;
	static const char *ctl[] = {"title=a%09b", "title=a%0Ab", "title=a%0Db",
	    "title=a%C2%85b", "title=a%C2%9Fb", "title=a%C2%80b"};
	static const char *raw[] = {"a\x01" "b", "a\x1b" "b", "a\x1f", "\x07", "a\x7f"};
	size_t i;

	T_EQ_INT(readf(misc, COUNTOF(misc), rep("title", "x", 10), &v), ERR_OK);
	T_EQ_INT(readf(misc, COUNTOF(misc), rep("title", "x", 11), &v), ERR_INVAL);
	T_EQ_STR(msg, "Title is too long: at most 10 characters, and this has 11.");
	T_EQ_INT(readf(misc, COUNTOF(misc), rep("title", "%C3%A9", 10), &v), ERR_OK);
	T_EQ_INT(readf(misc, COUNTOF(misc), rep("title", "%C3%A9", 11), &v), ERR_INVAL);
	for (i = 0; i < COUNTOF(ctl); i++) {
		T_EQ_INT(readf(misc, COUNTOF(misc), ctl[i], &v), ERR_INVAL);
		T_CONTAINS(msg, "Title contains characters that cannot be used");
	}
	for (i = 0; i < COUNTOF(raw); i++) {
		T_EQ_INT(readraw(misc, COUNTOF(misc), "title", raw[i], &v), ERR_INVAL);
		T_CONTAINS(msg, "Title contains characters that cannot be used");
		T_EQ_INT(readraw(misc, COUNTOF(misc), "body", raw[i], &v), ERR_INVAL);
		T_CONTAINS(msg, "Comment contains characters that cannot be used");
	}
	T_EQ_INT(readf(misc, COUNTOF(misc), "title=a%C2%A0b", &v), ERR_OK); /* U+00A0 is fine */
	/* multi-line text: line breaks and tabs yes, other controls no */
	T_EQ_INT(readf(misc, COUNTOF(misc), "body=line+one%0D%0Aline%09two", &v), ERR_OK);
	T_ASSERT(v.values[1].present);
	T_EQ_INT(readf(misc, COUNTOF(misc), "body=c1%C2%85", &v), ERR_INVAL);
	T_CONTAINS(msg, "Comment contains characters that cannot be used.");
	T_EQ_INT(readf(misc, COUNTOF(misc), rep("body", "y", 20), &v), ERR_OK);
	T_EQ_INT(readf(misc, COUNTOF(misc), rep("body", "y", 21), &v), ERR_INVAL);
	T_CONTAINS(msg, "Comment is too long");
	/* optional fields: absent is fine and reads as "" */
	T_EQ_INT(readf(misc, COUNTOF(misc), "other=1", &v), ERR_OK);
	T_EQ_INT(v.n, 4);
	T_ASSERT(!v.values[0].present && !v.values[3].present);
	T_EQ_STR(v.values[0].text, "");
}

static void
test_integer_checkbox(void)
{
	struct form_values v;
	static const char *bad[] = {"count=0", "count=101", "count=1.5", "count=+5",
	    "count=5x", "count=+", "count=99999999999999999999999"};
	size_t i;

	T_EQ_INT(readf(misc, COUNTOF(misc), "count=1", &v), ERR_OK);
	T_EQ_INT(v.values[2].number, 1);
	T_EQ_INT(readf(misc, COUNTOF(misc), "count=100", &v), ERR_OK);
	T_EQ_INT(v.values[2].number, 100);
	for (i = 0; i < COUNTOF(bad); i++) {
		T_EQ_INT(readf(misc, COUNTOF(misc), bad[i], &v), ERR_INVAL);
		T_EQ_STR(msg, "Count must be a whole number from 1 to 100.");
	}
	T_EQ_INT(readf(misc, COUNTOF(misc), "news=on", &v), ERR_OK);
	T_ASSERT(v.values[3].present);
	T_EQ_INT(readf(misc, COUNTOF(misc), "news=true", &v), ERR_INVAL);
	T_EQ_STR(msg, "Send me news can only be ticked or left empty.");
}

static void
test_raw_form(void)
{
	/* what http_form_parse would never hand over, built by hand: invalid UTF-8 and an
	 * embedded NUL are still refused */
	struct http_kv kv[2] = {{"title", "a\xff" "b", 3}, {"body", "a\0b", 3}};
	struct http_form f = {kv, 1};
	struct form_values v;
	struct form_field many[LIMIT_FORM_DECLARED + 1];

	T_EQ_INT(form_read(&f, misc, COUNTOF(misc), &v, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "Title contains characters that cannot be used");
	kv[0].value = "\xc3\x28";
	kv[0].value_len = 2;
	T_EQ_INT(form_read(&f, misc, COUNTOF(misc), &v, msg, sizeof(msg)), ERR_INVAL);
	kv[0].value = "ok";
	kv[0].value_len = 2;
	f.n = 2;
	T_EQ_INT(form_read(&f, misc, COUNTOF(misc), &v, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "Comment contains characters that cannot be used");
	/* the table size limit, at N and N+1 */
	memset(many, 0, sizeof(many));
	for (size_t i = 0; i < COUNTOF(many); i++) {
		many[i].name = arena_printf(arena, "f%zu", i);
		many[i].kind = FORM_TEXT;
		many[i].max_len = 1;
	}
	f.n = 0;
	T_EQ_INT(form_read(&f, many, LIMIT_FORM_DECLARED, &v, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(form_read(&f, many, LIMIT_FORM_DECLARED + 1, &v, msg, sizeof(msg)),
	    ERR_TOOBIG);
	/* a tiny message buffer is not overrun */
	f.n = 1;
	kv[0].value = "far too long for ten";
	kv[0].value_len = strlen(kv[0].value);
	{
		char small[8];
		T_EQ_INT(form_read(&f, misc, COUNTOF(misc), &v, small, sizeof(small)), ERR_INVAL);
		T_EQ_STR(small, "Title i");
		T_EQ_INT(form_read(&f, misc, COUNTOF(misc), &v, NULL, 0), ERR_INVAL);
	}
}

int
main(void)
{
	T_ASSERT((arena = arena_new()) != NULL);
	test_signup();
	test_username();
	test_email();
	test_password();
	test_text();
	test_integer_checkbox();
	test_raw_form();
	arena_free(arena);
	printf("test_form: ok\n");
	return 0;
}
