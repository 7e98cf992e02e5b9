/*
 * test_tmpl: the template engine. Most cases are golden files in tests/golden/tmpl/
 * (found through $CANDOR_SRC, which ctest sets):
 *   NAME.tmpl + NAME.out   all non-err templates form one set (so they can be partials
 *                          of each other); NAME is rendered with golden_ctx() and must
 *                          equal NAME.out byte for byte;
 *   err_NAME.tmpl + .err   compiled alone as template "err_NAME"; compiling must fail
 *                          with exactly the sentence in .err;
 *   layout.expect          layout_base rendered around page layout_page.
 * Limits (nesting depth, template size) are generated here at N and N+1, and the fuzz
 * seed corpus is replayed through the very function the fuzzer runs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "testlib.h"
#include "tmpl/tmpl.h"

#include "../../fuzz/fuzz_tmpl.c"

#define MAX_GOLDEN 128

static char golden_dir[4096];

static void
golden_init(void)
{
	const char *src = getenv("CANDOR_SRC");

	if (src == NULL || *src == '\0')
		T_FAIL("CANDOR_SRC is not set (run through ctest)");
	snprintf(golden_dir, sizeof(golden_dir), "%s/tests/golden/tmpl", src);
}

/* Reads golden file NAME (relative to golden_dir); NULL when absent. */
static char *
golden_read(const char *name)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	return t_read_file(path, NULL);
}

/* The values every golden template renders with: hostile strings of every kind. */
static struct tmpl_val *
golden_ctx(struct arena *a)
{
	struct tmpl_val *ctx, *posts, *p, *author, *profile, *site, *nav, *item;

	T_ASSERT((ctx = tmpl_obj(a)) != NULL);
	tmpl_set_str(ctx, "title", "Hello <World> & \"friends\" 'all'");
	tmpl_set_str(ctx, "xss", "<script>alert(1)</script>");
	tmpl_set_str(ctx, "attr_break", "\" onmouseover=\"alert(1)");
	tmpl_set_str(ctx, "attr_single", "' onfocus='alert(1)");
	tmpl_set_str(ctx, "js_url", "javascript:alert(1)");
	tmpl_set_str(ctx, "js_mixed", "JaVaScRiPt:alert(1)");
	tmpl_set_str(ctx, "js_space", "  javascript:alert(1)");
	tmpl_set_str(ctx, "js_tab", "java\tscript:alert(1)");
	tmpl_set_str(ctx, "js_newline", "\njava\nscript:alert(1)");
	tmpl_set_str(ctx, "js_control", "\x01\x02javascript:alert(1)");
	tmpl_set_str(ctx, "data_url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==");
	tmpl_set_str(ctx, "vb_url", "vbscript:msgbox(1)");
	tmpl_set_str(ctx, "http_url", "https://example.com/a?b=1&c=2");
	tmpl_set_str(ctx, "https_upper", "HTTPS://Example.com/");
	tmpl_set_str(ctx, "mailto", "mailto:me@example.com");
	tmpl_set_str(ctx, "rel_root", "/posts/hello world");
	tmpl_set_str(ctx, "rel_plain", "hello.html");
	tmpl_set_str(ctx, "frag", "#top");
	tmpl_set_str(ctx, "query", "?q=a b");
	tmpl_set_str(ctx, "rel_colon_later", "/a:b");
	tmpl_set_str(ctx, "unicode_url", "https://example.com/caf\xc3\xa9/\xc3\xbc?q=\xc3\x9f");
	tmpl_set_str(ctx, "url_quotes", "/a\"b'c<d>e`f");
	tmpl_set_str(ctx, "url_controls",
	             "/a\nb\tc\x7f"
	             "d");
	tmpl_set_str(ctx, "email", "me+blog@example.com");
	tmpl_set_str(ctx, "base", "https://blog.example");
	tmpl_set_html(ctx, "body_html", "<p>Rendered <em>markdown</em></p>");
	tmpl_set_str(ctx, "fake_html", "<b>not trusted</b>");
	tmpl_set_int(ctx, "count", 42);
	tmpl_set_int(ctx, "neg", -7);
	tmpl_set_int(ctx, "zero", 0);
	tmpl_set_int(ctx, "big", INT64_MAX);
	tmpl_set_int(ctx, "small", INT64_MIN);
	tmpl_set_bool(ctx, "yes", true);
	tmpl_set_bool(ctx, "no", false);
	tmpl_set_str(ctx, "empty", "");
	tmpl_set_str(ctx, "tagline", "A <tagline>");
	tmpl_set_str(ctx, "unset", "was set");
	tmpl_set_str(ctx, "unset", NULL);

	T_ASSERT((posts = tmpl_set_list(ctx, "posts")) != NULL);
	T_ASSERT((p = tmpl_list_add(posts)) != NULL);
	tmpl_set_str(p, "title", "One & only");
	tmpl_set_str(p, "url", "/p/one");
	T_ASSERT((p = tmpl_list_add(posts)) != NULL);
	tmpl_set_str(p, "title", "Two");
	tmpl_set_str(p, "url", "javascript:alert(1)");
	T_ASSERT((p = tmpl_list_add(posts)) != NULL);
	tmpl_set_str(p, "title", "Three");
	tmpl_set_str(p, "url", "/p/three");
	T_ASSERT(tmpl_set_list(ctx, "empty_list") != NULL);

	T_ASSERT((author = tmpl_set_obj(ctx, "author")) != NULL);
	tmpl_set_str(author, "name", "Ada <L>");
	T_ASSERT((profile = tmpl_set_obj(author, "profile")) != NULL);
	tmpl_set_str(profile, "url", "https://ada.example/");

	T_ASSERT((site = tmpl_set_obj(ctx, "site")) != NULL);
	tmpl_set_str(site, "name", "My <Site>");
	T_ASSERT((nav = tmpl_set_list(site, "nav")) != NULL);
	T_ASSERT((item = tmpl_list_add(nav)) != NULL);
	tmpl_set_str(item, "href", "/");
	tmpl_set_str(item, "label", "Home");
	T_ASSERT((item = tmpl_list_add(nav)) != NULL);
	tmpl_set_str(item, "href", "/about");
	tmpl_set_str(item, "label", "About & contact");
	return ctx;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Names (without .tmpl) of golden templates; err selects err_* or the others. */
static size_t
golden_list(bool err, char names[MAX_GOLDEN][256])
{
	struct dirent *d;
	DIR *dir;
	size_t n = 0, len;

	if ((dir = opendir(golden_dir)) == NULL)
		T_FAIL("cannot open %s", golden_dir);
	while ((d = readdir(dir)) != NULL) {
		if (!has_suffix(d->d_name, ".tmpl"))
			continue;
		if ((strncmp(d->d_name, "err_", 4) == 0) != err)
			continue;
		T_ASSERT(n < MAX_GOLDEN);
		len = strlen(d->d_name) - strlen(".tmpl");
		T_ASSERT(len < 256);
		memcpy(names[n], d->d_name, len);
		names[n][len] = '\0';
		n++;
	}
	closedir(dir);
	return n;
}

/* Loads every non-err golden template into one set. */
static struct tmpl_set *
golden_set(char names[MAX_GOLDEN][256], size_t *count, char **texts)
{
	const char *np[MAX_GOLDEN] = {0};
	char err[512], file[300];
	struct tmpl_set *set;
	size_t i, n;

	n = golden_list(false, names);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s.tmpl", names[i]);
		T_ASSERT((texts[i] = golden_read(file)) != NULL);
		np[i] = names[i];
	}
	set = tmpl_set_from_strings(np, (const char *const *)texts, n, err, sizeof(err));
	if (set == NULL)
		T_FAIL("golden set does not compile: %s", err);
	*count = n;
	return set;
}

static void
golden_free_texts(char **texts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(texts[i]);
}

/* Every NAME.tmpl with a NAME.out renders exactly to it. */
static void
test_golden_render(void)
{
	static char names[MAX_GOLDEN][256];
	char *texts[MAX_GOLDEN], file[300], *want;
	struct tmpl_set *set;
	struct arena *a;
	struct buf out;
	size_t n, i, checked = 0;

	set = golden_set(names, &n, texts);
	T_ASSERT((a = arena_new()) != NULL);
	struct tmpl_val *ctx = golden_ctx(a);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s.out", names[i]);
		if ((want = golden_read(file)) == NULL)
			continue; /* a partial or layout used by others */
		buf_init(&out);
		T_EQ_INT(tmpl_render(set, names[i], ctx, &out), ERR_OK);
		if (strcmp(out.data ? out.data : "", want) != 0)
			T_FAIL("golden %s differs.\n--- want\n%s--- got\n%s---", names[i], want,
			       out.data ? out.data : "");
		buf_free(&out);
		free(want);
		checked++;
	}
	T_ASSERT(checked >= 10);
	printf("golden renders: %zu\n", checked);
	arena_free(a);
	tmpl_set_free(set);
	golden_free_texts(texts, n);
}

/* Every err_NAME.tmpl fails to compile with exactly the sentence in err_NAME.err. */
static void
test_golden_errors(void)
{
	static char names[MAX_GOLDEN][256];
	char file[300], err[512], *text, *want;
	const char *np[1], *tp[1];
	struct tmpl_set *set;
	size_t n, i, len;

	n = golden_list(true, names);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s.tmpl", names[i]);
		T_ASSERT((text = golden_read(file)) != NULL);
		snprintf(file, sizeof(file), "%s.err", names[i]);
		if ((want = golden_read(file)) == NULL)
			T_FAIL("%s.tmpl has no %s", names[i], file);
		len = strlen(want);
		while (len > 0 && want[len - 1] == '\n')
			want[--len] = '\0';
		np[0] = names[i];
		tp[0] = text;
		strcpy(err, "unchanged");
		set = tmpl_set_from_strings(np, tp, 1, err, sizeof(err));
		if (set != NULL)
			T_FAIL("%s compiled but must fail with: %s", names[i], want);
		if (strcmp(err, want) != 0)
			T_FAIL("%s:\n want: %s\n  got: %s", names[i], want, err);
		free(text);
		free(want);
	}
	T_ASSERT(n >= 30);
	printf("golden compile errors: %zu\n", n);
}

/* A layout gets the page as {{html:content}}, escaped under {{content}}; ctx is left as
 * it was; unknown names are ERR_NOTFOUND and append nothing. */
static void
test_layout(void)
{
	static char names[MAX_GOLDEN][256];
	char *texts[MAX_GOLDEN], *want;
	struct tmpl_val *ctx;
	struct tmpl_set *set;
	struct arena *a;
	struct buf out;
	size_t n;

	set = golden_set(names, &n, texts);
	T_ASSERT((a = arena_new()) != NULL);
	ctx = golden_ctx(a);
	T_ASSERT((want = golden_read("layout.expect")) != NULL);
	buf_init(&out);
	T_EQ_INT(tmpl_render_layout(set, "layout_base", "layout_page", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, want);
	/* the page's HTML is not left behind in ctx */
	buf_reset(&out);
	T_EQ_INT(tmpl_render(set, "layout_base", ctx, &out), ERR_OK);
	T_NOT_CONTAINS(out.data, "<article>");
	T_NOT_CONTAINS(out.data, "&lt;article");
	buf_reset(&out);
	buf_puts(&out, "kept");
	T_EQ_INT(tmpl_render_layout(set, "nosuch", "layout_page", ctx, &out), ERR_NOTFOUND);
	T_EQ_INT(tmpl_render_layout(set, "layout_base", "nosuch", ctx, &out), ERR_NOTFOUND);
	T_EQ_STR(out.data, "kept");
	/* a layout with a NULL context still gets its content */
	buf_reset(&out);
	T_EQ_INT(tmpl_render_layout(set, "layout_base", "layout_page", NULL, &out), ERR_OK);
	T_CONTAINS(out.data, "<body><article><h1></h1></article>");
	buf_free(&out);
	free(want);
	arena_free(a);
	tmpl_set_free(set);
	golden_free_texts(texts, n);
}

/* "{{#s}}" x depth + "deep" + "{{/s}}" x depth */
static char *
nested_sections(int depth, const char *inner)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < depth; i++)
		buf_puts(&b, "{{#s}}");
	buf_puts(&b, inner);
	for (i = 0; i < depth; i++)
		buf_puts(&b, "{{/s}}");
	T_ASSERT(!b.failed);
	return buf_take(&b, NULL);
}

static struct tmpl_set *
compile1(const char *name, const char *text, char *err, size_t errsize)
{
	const char *np[1] = {name}, *tp[1] = {text};

	return tmpl_set_from_strings(np, tp, 1, err, errsize);
}

/* Sections nested LIMIT_TEMPLATE_DEPTH deep compile and render; one more does not. */
static void
test_depth_sections(void)
{
	char err[512], want[256], *text;
	struct tmpl_set *set;
	struct tmpl_val *ctx;
	struct arena *a;
	struct buf out;

	T_ASSERT((a = arena_new()) != NULL);
	ctx = tmpl_obj(a);
	tmpl_set_bool(ctx, "s", true);
	text = nested_sections(LIMIT_TEMPLATE_DEPTH, "deep");
	set = compile1("deep", text, err, sizeof(err));
	if (set == NULL)
		T_FAIL("depth %d must compile: %s", LIMIT_TEMPLATE_DEPTH, err);
	buf_init(&out);
	T_EQ_INT(tmpl_render(set, "deep", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "deep");
	buf_free(&out);
	tmpl_set_free(set);
	free(text);

	text = nested_sections(LIMIT_TEMPLATE_DEPTH + 1, "deep");
	T_ASSERT(compile1("deep", text, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want),
	         "template 'deep' line 1: sections and partials nested deeper than %d",
	         LIMIT_TEMPLATE_DEPTH);
	T_EQ_STR(err, want);
	free(text);
	arena_free(a);
}

/*
 * A chain of partials p0 -> p1 -> ... where each level is a partial (and p0 is inside
 * `sections` sections): total nesting is sections + partials. At the limit it compiles
 * and renders the innermost text; one more is refused naming the first partial.
 */
static struct tmpl_set *
partial_chain(int sections, int partials, char *err, size_t errsize)
{
	char names[64][8], *texts[64] = {0}, inner[32];
	const char *np[64] = {0};
	struct tmpl_set *set;
	int i;

	T_ASSERT(partials < 63);
	for (i = 0; i <= partials; i++) {
		snprintf(names[i], sizeof(names[i]), "p%d", i);
		np[i] = names[i];
		if (i == partials) {
			T_ASSERT((texts[i] = strdup("bottom")) != NULL);
		} else {
			snprintf(inner, sizeof(inner), "{{>p%d}}", i + 1);
			texts[i] = nested_sections(i == 0 ? sections : 0, inner);
		}
	}
	set = tmpl_set_from_strings(np, (const char *const *)texts, (size_t)partials + 1, err,
	                            errsize);
	for (i = 0; i <= partials; i++)
		free(texts[i]);
	return set;
}

static void
test_depth_partials(void)
{
	char err[512], want[256];
	struct tmpl_set *set;
	struct tmpl_val *ctx;
	struct arena *a;
	struct buf out;

	T_ASSERT((a = arena_new()) != NULL);
	ctx = tmpl_obj(a);
	tmpl_set_bool(ctx, "s", true);

	/* only partials: LIMIT deep is fine, LIMIT + 1 is not */
	if ((set = partial_chain(0, LIMIT_TEMPLATE_DEPTH, err, sizeof(err))) == NULL)
		T_FAIL("partials %d deep must compile: %s", LIMIT_TEMPLATE_DEPTH, err);
	buf_init(&out);
	T_EQ_INT(tmpl_render(set, "p0", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "bottom");
	buf_free(&out);
	tmpl_set_free(set);
	T_ASSERT(partial_chain(0, LIMIT_TEMPLATE_DEPTH + 1, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "partial '{{>p1}}' nests sections and partials deeper than %d",
	         LIMIT_TEMPLATE_DEPTH);
	T_CONTAINS(err, want);
	T_CONTAINS(err, "template 'p0' line 1:");

	/* sections and partials add up */
	if ((set = partial_chain(LIMIT_TEMPLATE_DEPTH - 3, 3, err, sizeof(err))) == NULL)
		T_FAIL("sections + partials = %d must compile: %s", LIMIT_TEMPLATE_DEPTH, err);
	buf_init(&out);
	T_EQ_INT(tmpl_render(set, "p0", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "bottom");
	buf_free(&out);
	tmpl_set_free(set);
	T_ASSERT(partial_chain(LIMIT_TEMPLATE_DEPTH - 2, 3, err, sizeof(err)) == NULL);
	T_CONTAINS(err, "deeper than");
	/* a partial directly at the section limit */
	T_ASSERT(partial_chain(LIMIT_TEMPLATE_DEPTH, 1, err, sizeof(err)) == NULL);
	T_CONTAINS(err, "template 'p0' line 1: sections and partials nested deeper than");
	arena_free(a);
}

/* Mutual recursion through partials is refused at load, not discovered by a crash. */
static void
test_recursive_partials(void)
{
	const char *np[3] = {"a", "b", "c"};
	const char *tp[3] = {"A{{>b}}", "B\n{{#x}}{{>c}}{{/x}}", "C{{^y}}{{>a}}{{/y}}"};
	char err[512];

	T_ASSERT(tmpl_set_from_strings(np, tp, 3, err, sizeof(err)) == NULL);
	T_EQ_STR(err, "template 'c' line 1: partial '{{>a}}' includes itself (recursive partials)");
}

/* A template of exactly LIMIT_TEMPLATE_BYTES compiles and renders; one byte more does
 * not. */
static void
test_size_limit(void)
{
	char err[512], want[256], *text;
	struct tmpl_set *set;
	struct buf out;

	T_ASSERT((text = malloc(LIMIT_TEMPLATE_BYTES + 2)) != NULL);
	memset(text, 'x', LIMIT_TEMPLATE_BYTES);
	memcpy(text, "<p>{{title}}</p>", 16);
	text[LIMIT_TEMPLATE_BYTES] = '\0';
	if ((set = compile1("big", text, err, sizeof(err))) == NULL)
		T_FAIL("a template of %d bytes must compile: %s", LIMIT_TEMPLATE_BYTES, err);
	buf_init(&out);
	T_EQ_INT(tmpl_render(set, "big", NULL, &out), ERR_OK);
	T_EQ_INT(out.len, LIMIT_TEMPLATE_BYTES - strlen("{{title}}"));
	buf_free(&out);
	tmpl_set_free(set);

	text[LIMIT_TEMPLATE_BYTES] = 'x';
	text[LIMIT_TEMPLATE_BYTES + 1] = '\0';
	T_ASSERT(compile1("big", text, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "template 'big': %d bytes, over the limit of %d",
	         LIMIT_TEMPLATE_BYTES + 1, LIMIT_TEMPLATE_BYTES);
	T_EQ_STR(err, want);
	free(text);
}

/* Values: replacement, unset falls back outwards, NULL-safe setters, kinds. */
static void
test_values(void)
{
	const char *np[1] = {"v"};
	const char *tp[1] = {"{{name}}|{{#inner}}{{name}}{{/inner}}|{{n}}|{{html:h}}|{{h}}"};
	struct tmpl_val *ctx, *inner;
	struct tmpl_set *set;
	struct arena *a;
	struct buf out;
	char err[256];

	T_ASSERT((set = tmpl_set_from_strings(np, tp, 1, err, sizeof(err))) != NULL);
	T_ASSERT((a = arena_new()) != NULL);
	ctx = tmpl_obj(a);
	tmpl_set_str(ctx, "name", "outer");
	T_ASSERT((inner = tmpl_set_obj(ctx, "inner")) != NULL);
	tmpl_set_str(inner, "name", "first");
	tmpl_set_str(inner, "name", "second"); /* replaces */
	tmpl_set_str(ctx, "n", "string first");
	tmpl_set_int(ctx, "n", 5); /* replaces with another kind */
	tmpl_set_str(ctx, "h", "<i>plain</i>");
	tmpl_set_html(ctx, "h", "<i>trusted</i>");
	buf_init(&out);
	T_EQ_INT(tmpl_render(set, "v", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "outer|second|5|<i>trusted</i>|&lt;i&gt;trusted&lt;/i&gt;");

	tmpl_set_str(inner, "name", NULL); /* unset: the outer name shows through */
	tmpl_set_html(ctx, "h", NULL);
	buf_reset(&out);
	T_EQ_INT(tmpl_render(set, "v", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "outer|outer|5||");

	/* setters on NULL and on non-objects do nothing */
	tmpl_set_str(NULL, "x", "y");
	tmpl_set_html(NULL, "x", "y");
	tmpl_set_int(NULL, "x", 1);
	tmpl_set_bool(NULL, "x", true);
	T_ASSERT(tmpl_set_obj(NULL, "x") == NULL);
	T_ASSERT(tmpl_set_list(NULL, "x") == NULL);
	T_ASSERT(tmpl_list_add(NULL) == NULL);
	T_ASSERT(tmpl_list_add(ctx) == NULL); /* an object is not a list */
	T_ASSERT(tmpl_obj(NULL) == NULL);

	/* appending: render adds to what is in out */
	buf_reset(&out);
	buf_puts(&out, "before:");
	T_EQ_INT(tmpl_render(set, "v", ctx, &out), ERR_OK);
	T_EQ_STR(out.data, "before:outer|outer|5||");

	/* a NULL context renders the text alone */
	buf_reset(&out);
	T_EQ_INT(tmpl_render(set, "v", NULL, &out), ERR_OK);
	T_EQ_STR(out.data, "||||");

	/* an output buffer that already failed reports ERR_NOMEM */
	out.failed = true;
	T_EQ_INT(tmpl_render(set, "v", ctx, &out), ERR_NOMEM);
	buf_free(&out);
	arena_free(a);
	tmpl_set_free(set);
}

/* Set-level API: exists, unknown names, duplicate names, empty set. */
static void
test_set_api(void)
{
	const char *np[2] = {"one", "two"}, *tp[2] = {"1", "2{{>one}}"};
	const char *dup[2] = {"one", "one"};
	struct tmpl_set *set;
	struct buf out;
	char err[256];

	T_ASSERT((set = tmpl_set_from_strings(np, tp, 2, err, sizeof(err))) != NULL);
	T_ASSERT(tmpl_exists(set, "one"));
	T_ASSERT(tmpl_exists(set, "two"));
	T_ASSERT(!tmpl_exists(set, "three"));
	T_ASSERT(!tmpl_exists(set, "on"));
	T_ASSERT(!tmpl_exists(set, NULL));
	T_ASSERT(!tmpl_exists(NULL, "one"));
	buf_init(&out);
	buf_puts(&out, "x");
	T_EQ_INT(tmpl_render(set, "three", NULL, &out), ERR_NOTFOUND);
	T_EQ_STR(out.data, "x");
	T_EQ_INT(tmpl_render(set, "two", NULL, &out), ERR_OK);
	T_EQ_STR(out.data, "x21");
	buf_free(&out);
	tmpl_set_free(set);
	tmpl_set_free(NULL);

	T_ASSERT(tmpl_set_from_strings(dup, tp, 2, err, sizeof(err)) == NULL);
	T_EQ_STR(err, "template 'one': defined twice");
	T_ASSERT((set = tmpl_set_from_strings(NULL, NULL, 0, err, sizeof(err))) != NULL);
	T_ASSERT(!tmpl_exists(set, "one"));
	tmpl_set_free(set);
}

/* The embedded theme compiles, and every templates/NAME.html is there as NAME. */
static void
test_load_embedded(void)
{
	const struct embed_file *f;
	struct tmpl_set *set;
	char err[512], name[256];
	size_t n, count = 0;

	if ((set = tmpl_set_load(err, sizeof(err))) == NULL)
		T_FAIL("embedded templates do not compile: %s", err);
	for (f = embed_files; f->name; f++) {
		n = strlen(f->name);
		if (strncmp(f->name, "templates/", 10) != 0 || !has_suffix(f->name, ".html"))
			continue;
		T_ASSERT(n - 15 < sizeof(name));
		memcpy(name, f->name + 10, n - 15);
		name[n - 15] = '\0';
		if (!tmpl_exists(set, name))
			T_FAIL("%s is not loaded as '%s'", f->name, name);
		count++;
	}
	T_ASSERT(count >= 1);
	T_ASSERT(!tmpl_exists(set, "style"));
	tmpl_set_free(set);
}

/* The seed corpus goes through the fuzzer's own iteration under ASan/UBSan. */
static void
test_fuzz_corpus(void)
{
	char dir[4096], path[8192];
	struct dirent *d;
	DIR *dp;
	char *data;
	size_t len, count = 0;

	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/tmpl", getenv("CANDOR_SRC"));
	if ((dp = opendir(dir)) == NULL)
		T_FAIL("no seed corpus in %s", dir);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		T_ASSERT((data = t_read_file(path, &len)) != NULL);
		fuzz_tmpl_one((const uint8_t *)data, len);
		free(data);
		count++;
	}
	closedir(dp);
	T_ASSERT(count >= 10);
	printf("fuzz corpus inputs replayed: %zu\n", count);
}

int
main(void)
{
	golden_init();
	test_golden_render();
	test_golden_errors();
	test_layout();
	test_depth_sections();
	test_depth_partials();
	test_recursive_partials();
	test_size_limit();
	test_values();
	test_set_api();
	test_load_embedded();
	test_fuzz_corpus();
	printf("test_tmpl: ok\n");
	return 0;
}
