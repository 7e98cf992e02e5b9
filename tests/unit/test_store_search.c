/*
 * test_store_search: the search index on both backends (issue 6, item 4). Terms are
 * found in titles and text, ranked (a title match above a passing mention), scoped to
 * one site, drafts and posts scheduled for later are not found, an edit or a delete is
 * seen by the next query (the index is written with the post), snippets carry the
 * markers around matches and never a byte of markup from the markdown as markup,
 * hostile query syntax (quotes, operators, stars, parentheses, invalid UTF-8) never
 * fails, pagination splits the hits, and search_rebuild gives the same answers.
 */
#include <unistd.h>

#include "sites/sites.h"
#include "testlib.h"

static char url[1200];

static struct store *
t_open(void)
{
	char err[256];
	enum err e;
	struct store *s = store_open(url, NULL, &e, err, sizeof(err));

	if (s == NULL)
		T_FAIL("store_open(%s): %s", url, err);
	T_EQ_INT(sites_migrate(s), ERR_OK);
	return s;
}

static int64_t
t_post(struct store *s, int64_t site, enum post_kind k, const char *title, const char *md,
    bool draft, int64_t at)
{
	char msg[256];
	int64_t id = 0;
	enum err e = posts_add(s, site, k, NULL, title, md, draft, at, &id, msg, sizeof(msg));

	if (e != ERR_OK)
		T_FAIL("posts_add(%s): %s %s", title, err_str(e), msg);
	return id;
}

/* How many hits q has on site (and the first hit's id in *first). */
static int64_t
t_search(struct store *s, int64_t site, const char *q, int64_t *first)
{
	struct arena *a = arena_new();
	struct search_hit *h;
	size_t n;
	int64_t total;

	T_EQ_INT(search_query(s, a, site, q, 0, 50, &h, &n, &total), ERR_OK);
	T_EQ_INT((int64_t)n, total);
	if (first)
		*first = n ? h[0].id : 0;
	arena_free(a);
	return total;
}

static void
test_terms(void)
{
	char out[SEARCH_TERMS_SIZE], big[400];
	size_t i;

	T_EQ_INT(search_terms("Hello, World!", 13, out, sizeof(out)), 2);
	T_EQ_STR(out, "hello world");
	T_EQ_INT(search_terms("\"a\" OR b* (NEAR c) -d ^e:f", 26, out, sizeof(out)), 8);
	T_EQ_STR(out, "a or b near c d e f");
	T_EQ_INT(search_terms("<script>alert(1)</script>", 25, out, sizeof(out)), 4);
	T_EQ_STR(out, "script alert 1 script");
	T_EQ_INT(search_terms("\"\"*()-:^", 8, out, sizeof(out)), 0);
	T_EQ_STR(out, "");
	T_EQ_INT(search_terms("café naïve", strlen("café naïve"), out, sizeof(out)), 2);
	T_EQ_STR(out, "café naïve");
	/* invalid UTF-8 separates, never passes through */
	T_EQ_INT(search_terms("ab\xff\xfe" "cd\xc3", 7, out, sizeof(out)), 2);
	T_EQ_STR(out, "ab cd");
	/* at most LIMIT_SEARCH_TERMS terms; a term cut at LIMIT_SEARCH_TERM_BYTES */
	T_EQ_INT(search_terms("a b c d e f g h i j", 19, out, sizeof(out)), LIMIT_SEARCH_TERMS);
	T_EQ_STR(out, "a b c d e f g h");
	memset(big, 'x', sizeof(big));
	T_EQ_INT(search_terms(big, LIMIT_SEARCH_TERM_BYTES, out, sizeof(out)), 1);
	T_EQ_INT(strlen(out), LIMIT_SEARCH_TERM_BYTES);
	T_EQ_INT(search_terms(big, LIMIT_SEARCH_TERM_BYTES + 1, out, sizeof(out)), 1);
	T_EQ_INT(strlen(out), LIMIT_SEARCH_TERM_BYTES);
	for (i = 0; i < 40; i++)
		memcpy(big + i * 3, "é ", 3);
	T_EQ_INT(search_terms(big, 120, out, sizeof(out)), LIMIT_SEARCH_TERMS);
	/* a tiny buffer: never overflows */
	T_EQ_INT(search_terms("hello world", 11, out, 4) <= 1, 1);
	T_ASSERT(strlen(out) < 4);
}

static void
test_search(void)
{
	struct store *s = t_open();
	const char *const none[1] = {NULL};
	int64_t a, b, title_hit, body_hit, page, draft, later, other, first, total;
	struct arena *ar;
	struct search_hit *h;
	size_t n, i;
	char md[512];
	static const char *const hostile[] = {"\"", "\"\"", "a\"b", "AND", "OR OR", "NOT x",
	    "x NEAR/2 y", "*", "x*", "^x", "col:x", "(x", "x)", "{x y}", "x + y", "'x'",
	    "x' OR 1=1 --", "\\", "%", "_", "?", "$1", "&|!", "<->", "x:*", "\xff\xfe",
	    "\xc3", "NEAR(a b)", "title:zebra", "-zebra", "zebra AND", ""};

	T_EQ_INT(sites_add(s, "a.test", "A", "", "http://a.test", none, 0, &a), ERR_OK);
	T_EQ_INT(sites_add(s, "b.test", "B", "", "http://b.test", none, 0, &b), ERR_OK);
	body_hit = t_post(s, a, POST_KIND_POST, "Travel notes",
	    "We saw a zebra once, far away.\n\nThen many other animals and plants and rivers.",
	    false, 0);
	title_hit = t_post(s, a, POST_KIND_POST, "Zebra stripes explained",
	    "Why zebras have stripes, and what a zebra eats.", false, 0);
	page = t_post(s, a, POST_KIND_PAGE, "About", "This site is about the zebra.", false, 0);
	draft = t_post(s, a, POST_KIND_POST, "Zebra draft", "zebra zebra", true, 0);
	later = t_post(s, a, POST_KIND_POST, "Zebra later", "zebra zebra", false,
	    time_now() + 3600);
	other = t_post(s, b, POST_KIND_POST, "Zebra on B", "zebra zebra", false, 0);
	(void)draft;
	(void)later;

	/* scope, drafts, scheduled: three hits on A, the title match first */
	T_EQ_INT(t_search(s, a, "zebra", &first), 3);
	T_EQ_INT(first, title_hit);
	T_EQ_INT(t_search(s, b, "zebra", &first), 1);
	T_EQ_INT(first, other);
	/* stemming and case: "Zebras" finds zebra; two terms are both required */
	T_EQ_INT(t_search(s, a, "ZEBRAS", NULL), 3);
	T_EQ_INT(t_search(s, a, "zebra rivers", &first), 1);
	T_EQ_INT(first, body_hit);
	T_EQ_INT(t_search(s, a, "nothingmatches", NULL), 0);
	T_EQ_INT(t_search(s, a, "", NULL), 0);

	/* snippets: markers around the match, markup of the markdown not carried */
	snprintf(md, sizeof(md), "Some <b>bold</b> *emphasis* about quokka and "
				 "<script>alert(1)</script> things.");
	t_post(s, a, POST_KIND_POST, "Quokka", md, false, 0);
	ar = arena_new();
	T_EQ_INT(search_query(s, ar, a, "quokka", 0, 10, &h, &n, &total), ERR_OK);
	T_EQ_INT(n, 1);
	T_CONTAINS(h[0].snippet, "\x01quokka\x02");
	T_NOT_CONTAINS(h[0].snippet, "<b>");
	T_NOT_CONTAINS(h[0].snippet, "<script>");
	T_EQ_INT(h[0].kind, POST_KIND_POST);
	T_EQ_STR(h[0].slug, "quokka");
	arena_free(ar);
	/* the markers cannot be smuggled in by a post: control bytes are refused */
	T_EQ_INT(posts_add(s, a, POST_KIND_POST, NULL, "Marker", "text \x01 wombat \x02", false,
		     0, NULL, md, sizeof(md)), ERR_INVAL);

	/* hostile syntax: never an error */
	for (i = 0; i < COUNTOF(hostile); i++) {
		ar = arena_new();
		if (search_query(s, ar, a, hostile[i], 0, 10, &h, &n, &total) != ERR_OK)
			T_FAIL("query \"%s\" failed", hostile[i]);
		arena_free(ar);
	}
	T_EQ_INT(t_search(s, a, "title:zebra", NULL), 0); /* "title" AND "zebra": no title */
	T_ASSERT(t_search(s, a, "zebra AND", NULL) >= 2); /* a term, not an operator */
	T_EQ_INT(t_search(s, a, "\"zebra\"*", NULL), 3);

	/* the index follows edits, unpublishing and deletes */
	T_EQ_INT(posts_update(s, a, body_hit, NULL, "Travel notes", "No okapi here.",
		     false, 0, md, sizeof(md)), ERR_OK);
	T_EQ_INT(t_search(s, a, "zebra", NULL), 2);
	T_EQ_INT(t_search(s, a, "okapi", &first), 1);
	T_EQ_INT(first, body_hit);
	T_EQ_INT(posts_unpublish(s, a, page), ERR_OK);
	T_EQ_INT(t_search(s, a, "zebra", NULL), 1);
	T_EQ_INT(posts_delete(s, a, title_hit), ERR_OK);
	T_EQ_INT(t_search(s, a, "zebra", NULL), 0);

	/* pagination */
	for (i = 0; i < 12; i++) {
		snprintf(md, sizeof(md), "Numbat %zu", i);
		t_post(s, a, POST_KIND_POST, md, "numbat text", false, 0);
	}
	ar = arena_new();
	T_EQ_INT(search_query(s, ar, a, "numbat", 0, 10, &h, &n, &total), ERR_OK);
	T_EQ_INT(n, 10);
	T_EQ_INT(total, 12);
	T_EQ_INT(search_query(s, ar, a, "numbat", 10, 10, &h, &n, &total), ERR_OK);
	T_EQ_INT(n, 2);
	arena_free(ar);

	/* a rebuild gives the same answers */
	T_EQ_INT(search_rebuild(s), ERR_OK);
	T_EQ_INT(t_search(s, a, "numbat", NULL), 12);
	T_EQ_INT(t_search(s, a, "okapi", NULL), 1);
	T_EQ_INT(t_search(s, a, "zebra", NULL), 0);
	T_EQ_INT(t_search(s, b, "zebra", NULL), 1);
	store_close(s);
}

int
main(void)
{
	t_db_url(url, sizeof(url));
	test_terms();
	test_search();
	printf("test_store_search (%s): ok\n", t_backend());
	return 0;
}
