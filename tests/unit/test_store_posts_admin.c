/*
 * test_store_posts_admin: what the admin area asks of the sites module, on both
 * backends. posts_get_by_id returns drafts and scheduled posts with their markdown, and
 * only for their own site; posts_update rewrites and re-renders, keeps the date of a
 * published post, answers ERR_CONFLICT for a taken slug and ERR_INVAL for an invalid
 * one (nothing changed); a post scheduled for later is returned by no public getter
 * (get, list, count) until its time and then by all, and posts_next_due names its time;
 * posts_unpublish makes a draft, posts_delete removes (ERR_NOTFOUND for another site's
 * post). Site settings: the comment policy and hold default to open / first-time, are
 * changed by sites_update and read back by sites_find, sites_get and sites_list;
 * sites_update refuses an empty or over-long title (LIMIT_TITLE at N and N+1) and
 * out-of-range settings; sites_set_hosts replaces the names in one transaction and
 * refuses (changing nothing) a host of another site.
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

static void
test_posts(struct store *s, int64_t a, int64_t b)
{
	struct arena *ar = arena_new();
	struct post p, *list;
	char msg[256];
	int64_t id, id2, later, due, count;
	size_t n;

	T_EQ_INT(posts_add(s, a, POST_KIND_POST, NULL, "First post", "Hello *there*", false,
		     1000, &id, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(posts_add(s, a, POST_KIND_POST, "second", "Second", "x", true, 0, &id2, msg,
		     sizeof(msg)), ERR_OK);
	/* by id: drafts too, with the markdown; never through another site */
	T_EQ_INT(posts_get_by_id(s, ar, a, id2, &p), ERR_OK);
	T_ASSERT(p.draft);
	T_EQ_STR(p.body_md, "x");
	T_EQ_INT(posts_get_by_id(s, ar, b, id, &p), ERR_NOTFOUND);
	T_EQ_INT(posts_get_by_id(s, ar, a, 999999, &p), ERR_NOTFOUND);

	/* update: re-rendered, date kept, slug conflict and invalid slug change nothing */
	T_EQ_INT(posts_update(s, a, id, "first", "First post, edited", "New **text**", false, 0,
		     msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(posts_get(s, ar, a, POST_KIND_POST, "first", &p), ERR_OK);
	T_EQ_STR(p.title, "First post, edited");
	T_CONTAINS(p.body_html, "<strong>text</strong>");
	T_EQ_INT(p.published_at, 1000);
	T_EQ_INT(posts_update(s, a, id, "second", "T", "y", false, 0, msg, sizeof(msg)),
	    ERR_CONFLICT);
	T_EQ_INT(posts_update(s, a, id, "Bad Slug", "T", "y", false, 0, msg, sizeof(msg)),
	    ERR_INVAL);
	T_CONTAINS(msg, "slug");
	T_EQ_INT(posts_update(s, b, id, "first", "T", "y", false, 0, msg, sizeof(msg)),
	    ERR_NOTFOUND);
	T_EQ_INT(posts_get(s, ar, a, POST_KIND_POST, "first", &p), ERR_OK);
	T_EQ_STR(p.title, "First post, edited");

	/* scheduled: invisible to every public getter until its time */
	T_EQ_INT(posts_count_published(s, a, POST_KIND_POST, &count), ERR_OK);
	T_EQ_INT(count, 1);
	due = time_now() + 2;
	T_EQ_INT(posts_add(s, a, POST_KIND_POST, "later", "Later", "soon", false, due, &later,
		     msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(posts_get(s, ar, a, POST_KIND_POST, "later", &p), ERR_NOTFOUND);
	T_EQ_INT(posts_list_published(s, ar, a, POST_KIND_POST, 0, 10, &list, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(posts_count_published(s, a, POST_KIND_POST, &count), ERR_OK);
	T_EQ_INT(count, 1);
	T_EQ_INT(posts_get_by_id(s, ar, a, later, &p), ERR_OK);
	T_ASSERT(post_scheduled(&p, time_now()));
	T_EQ_INT(posts_next_due(s, time_now(), &count), ERR_OK);
	T_EQ_INT(count, due);
	while (time_now() < due)
		usleep(100 * 1000);
	T_EQ_INT(posts_get(s, ar, a, POST_KIND_POST, "later", &p), ERR_OK);
	T_EQ_INT(posts_list_published(s, ar, a, POST_KIND_POST, 0, 10, &list, &n), ERR_OK);
	T_EQ_INT(n, 2);
	T_EQ_STR(list[0].slug, "later");
	T_EQ_INT(posts_next_due(s, time_now(), &count), ERR_OK);
	T_EQ_INT(count, 0);

	/* unpublish, delete */
	T_EQ_INT(posts_unpublish(s, a, later), ERR_OK);
	T_EQ_INT(posts_get(s, ar, a, POST_KIND_POST, "later", &p), ERR_NOTFOUND);
	T_EQ_INT(posts_get_by_id(s, ar, a, later, &p), ERR_OK);
	T_ASSERT(p.draft);
	T_EQ_INT(posts_delete(s, b, later), ERR_NOTFOUND);
	T_EQ_INT(posts_delete(s, a, later), ERR_OK);
	T_EQ_INT(posts_get_by_id(s, ar, a, later, &p), ERR_NOTFOUND);
	T_EQ_INT(posts_delete(s, a, later), ERR_NOTFOUND);
	T_EQ_INT(posts_unpublish(s, a, later), ERR_NOTFOUND);
	arena_free(ar);
}

static void
test_sites(struct store *s, int64_t a, int64_t b)
{
	struct arena *ar = arena_new();
	struct site site, *list;
	const char *const aliases[] = {"www.a.test", "old.a.test"};
	const char *const taken[] = {"b.test"};
	char msg[256], title[LIMIT_TITLE + 2];
	size_t n;

	T_EQ_INT(sites_find(s, ar, "a.test", &site), ERR_OK);
	T_EQ_INT(site.comment_policy, COMMENTS_OPEN);
	T_EQ_INT(site.comment_hold, HOLD_FIRST_TIME);
	T_EQ_INT(sites_update(s, a, "A renamed", "tag", COMMENTS_CLOSED, HOLD_NONE, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(sites_find(s, ar, "a.test", &site), ERR_OK);
	T_EQ_INT(site.comment_policy, COMMENTS_CLOSED);
	T_EQ_INT(site.comment_hold, HOLD_NONE);
	T_EQ_STR(site.title, "A renamed");
	T_EQ_INT(sites_get(s, ar, b, &site), ERR_OK);
	T_EQ_INT(site.comment_policy, COMMENTS_OPEN);
	T_EQ_INT(sites_list(s, ar, &list, &n), ERR_OK);
	T_EQ_INT(n, 2);
	T_EQ_INT(list[0].comment_policy, COMMENTS_CLOSED);
	T_EQ_INT(list[1].comment_hold, HOLD_FIRST_TIME);
	/* bounds: title at N and N+1 characters, settings out of range */
	memset(title, 'x', LIMIT_TITLE);
	title[LIMIT_TITLE] = '\0';
	T_EQ_INT(sites_update(s, a, title, "", COMMENTS_OPEN, HOLD_ALL, msg, sizeof(msg)), ERR_OK);
	title[LIMIT_TITLE] = 'x';
	title[LIMIT_TITLE + 1] = '\0';
	T_EQ_INT(sites_update(s, a, title, "", COMMENTS_OPEN, HOLD_ALL, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(sites_update(s, a, "", "", COMMENTS_OPEN, HOLD_ALL, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(sites_update(s, a, "T", "", COMMENTS__MAX, HOLD_ALL, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(sites_update(s, a, "T", "", COMMENTS_OPEN, HOLD__MAX, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(sites_update(s, 999999, "T", "", COMMENTS_OPEN, HOLD_ALL, msg, sizeof(msg)),
	    ERR_NOTFOUND);
	/* names: replaced together; a host of another site changes nothing */
	T_EQ_INT(sites_set_hosts(s, a, "a.test", "https://a.test", aliases, 2, msg, sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(sites_find(s, ar, "old.a.test", &site), ERR_OK);
	T_EQ_INT(site.id, a);
	T_EQ_INT(sites_get(s, ar, a, &site), ERR_OK);
	T_EQ_STR(site.origin, "https://a.test");
	T_EQ_STR(site.aliases, "old.a.test www.a.test");
	T_EQ_INT(sites_set_hosts(s, a, "a.test", "https://a.test", taken, 1, msg, sizeof(msg)),
	    ERR_CONFLICT);
	T_CONTAINS(msg, "b.test");
	T_EQ_INT(sites_find(s, ar, "www.a.test", &site), ERR_OK);
	T_EQ_INT(site.id, a);
	T_EQ_INT(sites_find(s, ar, "b.test", &site), ERR_OK);
	T_EQ_INT(site.id, b);
	T_EQ_INT(sites_set_hosts(s, a, "a.test", "ftp://a.test", NULL, 0, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(sites_set_hosts(s, 999999, "z.test", "https://z.test", NULL, 0, msg,
		     sizeof(msg)), ERR_NOTFOUND);
	T_EQ_INT(sites_find(s, ar, "z.test", &site), ERR_NOTFOUND);
	arena_free(ar);
}

int
main(void)
{
	const char *const none[1] = {NULL};
	struct store *s;
	int64_t a, b;

	t_db_url(url, sizeof(url));
	s = t_open();
	T_EQ_INT(sites_add(s, "a.test", "A", "", "http://a.test", none, 0, &a), ERR_OK);
	T_EQ_INT(sites_add(s, "b.test", "B", "", "http://b.test", none, 0, &b), ERR_OK);
	test_posts(s, a, b);
	test_sites(s, a, b);
	store_close(s);
	printf("test_store_posts_admin (%s): ok\n", t_backend());
	return 0;
}
