/*
 * test_store_comments: the comment store (src/sites/comments.c) on the test's backend
 * (this test runs on both). A comment's IP and email are sealed (no plaintext in the
 * row); first-time hold lets a commenter through once one of theirs (the same member, or
 * the same email in any case) was approved, HOLD_ALL holds everything, HOLD_NONE
 * nothing; replies go one level deep and only under an approved comment of the same
 * post; text and name limits hold at N and refuse N+1 with a sentence; markdown links
 * get rel="nofollow ugc noopener" and raw HTML and javascript: links are dropped; the
 * post's list is threaded; counts; the gate opens IP and email for the site's admin and
 * staff with a moderation grant only, each read audited; a member edits their own
 * comment within 10 minutes only; deleting an anonymous comment shreds its key; the
 * member's export lists their comments with the IP; erasing the member removes them.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "sites/comments.h"
#include "sites/sites.h"
#include "testlib.h"

static struct privacy *p;
static struct store *s;
static int64_t site1, site2, post1, post2;

static const struct store_stmt age_sql = {"t_age",
    "UPDATE comments SET created_at = created_at - ? WHERE id = ?"};
static const struct store_stmt row_sql = {"t_row",
    "SELECT ip_sealed, email_sealed, body_md, author FROM comments WHERE id = ?"};

static int64_t
add(int64_t post, int64_t parent, int64_t person, const char *author, const char *email,
    const char *text, enum comment_hold hold, enum comment_status *st)
{
	struct comment_new c = {site1, post, parent, person, author, email, "198.51.100.23",
	    text, hold};
	const char *field = NULL;
	char msg[256];
	int64_t id = 0;
	enum err e;

	if (post == post2)
		c.site_id = site2;
	if ((e = comments_add(p, s, &c, &id, st, &field, msg, sizeof(msg))) != ERR_OK)
		T_FAIL("comments_add: %s (%s)", err_str(e), msg);
	return id;
}

/* comments_add expecting a refusal e on field. */
static void
refused(const char *author, const char *email, const char *text, int64_t parent, enum err want,
    const char *want_field)
{
	struct comment_new c = {site1, post1, parent, 0, author, email, "198.51.100.23", text,
	    HOLD_NONE};
	const char *field = NULL;
	enum comment_status st;
	char msg[256] = "";
	int64_t id = 0;

	T_EQ_INT(comments_add(p, s, &c, &id, &st, &field, msg, sizeof(msg)), want);
	T_EQ_STR(field, want_field);
	T_ASSERT(msg[0] != '\0');
}

static char *
repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char *b = malloc(ul * n + 1);

	for (i = 0; i < n; i++)
		memcpy(b + i * ul, unit, ul);
	b[ul * n] = '\0';
	return b;
}

static size_t
audit_count(const char *subject, const char *decision)
{
	struct audit_entry *log;
	struct arena *a = arena_new();
	size_t n = 0, i, k = 0;

	T_EQ_INT(audit_list(p, s, a, subject, &log, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(log[i].decision, decision) == 0 &&
		    strcmp(log[i].purpose, "moderation") == 0)
			k++;
	arena_free(a);
	return k;
}

int
main(void)
{
	struct config cfg;
	struct arena *a;
	struct comment c, *list;
	struct store_q *q;
	struct buf ip, email, json;
	struct gate_actor admin1, admin2, staff_ok, staff_no, member;
	enum comment_status st;
	int64_t counts[COMMENT_STATUS__MAX], ids[2], n2[2], id, id2, top, reply, anon, mine, alice,
	    n64, now = time_now();
	bool ip_ok, email_ok;
	char msg[256], *big;
	size_t n, i;
	json_t *root, *arr;
	json_error_t jerr;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(sites_migrate(s), ERR_OK);
	T_EQ_INT(comments_migrate(s), ERR_OK);
	T_EQ_INT(comments_migrate(s), ERR_OK); /* idempotent */
	T_ASSERT((a = arena_new()) != NULL);
	T_EQ_INT(sites_add(s, "one.test", "One", "", "http://one.test", NULL, 0, &site1), ERR_OK);
	T_EQ_INT(sites_add(s, "two.test", "Two", "", "http://two.test", NULL, 0, &site2), ERR_OK);
	T_EQ_INT(posts_add(s, site1, POST_KIND_POST, "p1", "Post one", "Body", false, 0, &post1,
		     msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(posts_add(s, site2, POST_KIND_POST, "p2", "Post two", "Body", false, 0, &post2,
		     msg, sizeof(msg)), ERR_OK);

	/* first time: held; sealed, nothing in plaintext */
	id = add(post1, 0, 0, "Zoe", "Zoe@Example.org", "First!", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_PENDING);
	T_ASSERT((q = store_prepare(s, &row_sql)) != NULL);
	store_bind_int(q, 1, id);
	T_EQ_INT(store_step(q), STORE_ROW);
	{
		size_t bl;
		const char *blob = store_col_blob(q, 0, &bl);
		T_ASSERT(blob != NULL && bl > 13);
		T_ASSERT(memmem(blob, bl, "198.51.100.23", 13) == NULL);
		blob = store_col_blob(q, 1, &bl);
		T_ASSERT(blob != NULL && bl > 15);
		T_ASSERT(memmem(blob, bl, "zoe@example.org", 15) == NULL);
		T_EQ_STR(store_col_text(q, 3), "Zoe");
	}
	T_EQ_INT(store_done(q), ERR_OK);
	T_EQ_INT(comments_get(s, a, id, &c), ERR_OK);
	T_EQ_STR(c.subject, "commenter:1");
	T_ASSERT(c.has_email);
	T_ASSERT(c.has_ip);
	T_EQ_STR(c.post_slug, "p1");
	T_EQ_INT(comments_count_pending(s, site1, &n64), ERR_OK);
	T_EQ_INT(n64, 1);
	/* approved: the same address (another case) goes straight through; no email: held */
	T_EQ_INT(comments_set_status(s, site1, id, COMMENT_APPROVED), ERR_OK);
	T_EQ_INT(comments_set_status(s, site2, id, COMMENT_SPAM), ERR_NOTFOUND); /* not site2's */
	id2 = add(post1, 0, 0, "Zoe", "zoe@EXAMPLE.org", "Again", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_APPROVED);
	add(post1, 0, 0, "Zoe", NULL, "No address", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_PENDING);
	/* the same address on another site is a first time there */
	add(post2, 0, 0, "Zoe", "zoe@example.org", "Elsewhere", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_PENDING);
	add(post1, 0, 0, "Zoe", "zoe@example.org", "All held", HOLD_ALL, &st);
	T_EQ_INT(st, COMMENT_PENDING);
	add(post1, 0, 0, "Yan", NULL, "None held", HOLD_NONE, &st);
	T_EQ_INT(st, COMMENT_APPROVED);

	/* members: first time held, then known */
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	mine = add(post1, 0, alice, "alice", NULL, "Member here", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_PENDING);
	T_EQ_INT(comments_set_status(s, site1, mine, COMMENT_APPROVED), ERR_OK);
	add(post1, 0, alice, "alice", NULL, "Known member", HOLD_FIRST_TIME, &st);
	T_EQ_INT(st, COMMENT_APPROVED);
	T_EQ_INT(comments_get(s, a, mine, &c), ERR_OK);
	T_EQ_STR(c.subject, arena_printf(a, "user:%lld", (long long)alice));

	/* replies: one level, under an approved comment of the same post */
	top = id;
	reply = add(post1, top, 0, "Bo", NULL, "A reply", HOLD_NONE, &st);
	refused("Bo", NULL, "Reply to a reply", reply, ERR_INVAL, "parent");
	anon = add(post1, 0, 0, "Cy", NULL, "pending one", HOLD_ALL, &st);
	refused("Bo", NULL, "Reply to a pending one", anon, ERR_INVAL, "parent");
	{
		struct comment_new cn = {site2, post2, top, 0, "Bo", NULL, "198.51.100.23", "x",
		    HOLD_NONE};
		const char *field;
		T_EQ_INT(comments_add(p, s, &cn, &id, &st, &field, msg, sizeof(msg)), ERR_INVAL);
		T_EQ_STR(field, "parent"); /* another post's comment */
	}

	/* limits at N and N+1 (characters, not bytes), never cut */
	big = repeat("\xc3\xa9", LIMIT_COMMENT_CHARS);
	id = add(post1, 0, 0, "Long", NULL, big, HOLD_NONE, &st);
	T_EQ_INT(comments_get(s, a, id, &c), ERR_OK);
	T_EQ_INT(strlen(c.body_md), 2 * LIMIT_COMMENT_CHARS);
	free(big);
	big = repeat("\xc3\xa9", LIMIT_COMMENT_CHARS + 1);
	refused("Long", NULL, big, 0, ERR_TOOBIG, "text");
	free(big);
	big = repeat("n", LIMIT_COMMENT_AUTHOR_CHARS);
	add(post1, 0, 0, big, NULL, "name at the limit", HOLD_NONE, &st);
	free(big);
	big = repeat("n", LIMIT_COMMENT_AUTHOR_CHARS + 1);
	refused(big, NULL, "name over the limit", 0, ERR_TOOBIG, "name");
	free(big);
	refused("", NULL, "no name", 0, ERR_INVAL, "name");
	refused("Line\nbreak", NULL, "name", 0, ERR_INVAL, "name");
	refused("Ok", NULL, "   \n ", 0, ERR_INVAL, "text");
	refused("Ok", NULL, "bad \xff utf8", 0, ERR_INVAL, "text");
	refused("Ok", "not an address", "text", 0, ERR_INVAL, "email");

	/* markdown: rel on links, raw HTML and javascript: dropped */
	id = add(post1, 0, 0, "Md", NULL,
	    "[ok](https://example.org) <script>alert(1)</script> [bad](javascript:alert(1)) "
	    "<img src=x onerror=alert(1)>", HOLD_NONE, &st);
	T_EQ_INT(comments_get(s, a, id, &c), ERR_OK);
	T_CONTAINS(c.body_html, "<a rel=\"nofollow ugc noopener\" href=\"https://example.org\">ok</a>");
	T_NOT_CONTAINS(c.body_html, "<script");
	T_NOT_CONTAINS(c.body_html, "javascript:");
	T_NOT_CONTAINS(c.body_html, "onerror");
	T_NOT_CONTAINS(c.body_html, "<img");

	/* the post's list: approved only, each top-level comment followed by its replies */
	T_EQ_INT(comments_list_post(s, a, post1, &list, &n), ERR_OK);
	T_ASSERT(n >= 3);
	T_EQ_INT(list[0].id, top);
	T_EQ_INT(list[1].id, reply);
	T_EQ_INT(list[1].parent_id, top);
	T_EQ_INT(list[2].id, id2);
	for (i = 0; i < n; i++)
		T_EQ_INT(list[i].status, COMMENT_APPROVED);
	T_EQ_INT(comments_counts(s, site1, counts), ERR_OK);
	T_EQ_INT(counts[COMMENT_APPROVED], (int64_t)n);
	T_EQ_INT(counts[COMMENT_PENDING], 3); /* no address, all held, pending one */
	ids[0] = post1;
	ids[1] = post2;
	T_EQ_INT(comments_count_approved(s, ids, 2, n2), ERR_OK);
	T_EQ_INT(n2[0], (int64_t)n);
	T_EQ_INT(n2[1], 0);
	T_EQ_INT(comments_list_site(s, a, site1, COMMENT_PENDING, 0, 50, &list, &n), ERR_OK);
	T_EQ_INT(n, 3);
	T_ASSERT(list[0].id > list[1].id); /* newest first */

	/* who opens the IP and email: the gate, audited */
	admin1.person = t_person(p, s, "adam", ROLE_MEMBER);
	admin2.person = t_person(p, s, "beth", ROLE_MEMBER);
	staff_ok.person = t_person(p, s, "sam", ROLE_STAFF);
	staff_no.person = t_person(p, s, "sue", ROLE_STAFF);
	member.person = alice;
	admin1.system = admin2.system = staff_ok.system = staff_no.system = member.system = false;
	T_EQ_INT(people_site_role(s, admin1.person, site1, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(people_site_role(s, admin2.person, site2, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(people_site_role(s, alice, site1, SITE_ROLE_EDITOR, true), ERR_OK);
	T_EQ_INT(staff_set(s, staff_ok.person, "Mod Co", "PT"), ERR_OK);
	T_EQ_INT(staff_agreement(s, staff_ok.person, "1", now - 86400), ERR_OK);
	T_EQ_INT(staff_grant(s, staff_ok.person, PURPOSE_MODERATION, now + 86400), ERR_OK);
	T_EQ_INT(staff_set(s, staff_no.person, "Mod Co", "PT"), ERR_OK);
	T_EQ_INT(staff_agreement(s, staff_no.person, "1", now - 86400), ERR_OK);
	T_EQ_INT(staff_grant(s, staff_no.person, PURPOSE_SUPPORT, now + 86400), ERR_OK);
	T_EQ_INT(comments_get(s, a, top, &c), ERR_OK);
	buf_init(&ip);
	buf_init(&email);
	{
		const struct {
			struct gate_actor *who;
			bool sees;
		} matrix[] = {{&admin1, true}, {&admin2, false}, {&staff_ok, true},
		    {&staff_no, false}, {&member, false}};
		size_t before_allow, before_deny;
		for (i = 0; i < COUNTOF(matrix); i++) {
			before_allow = audit_count(c.subject, "allow");
			before_deny = audit_count(c.subject, "deny");
			T_EQ_INT(comments_private(p, s, matrix[i].who, &c, &ip, &ip_ok, &email,
				     &email_ok), ERR_OK);
			T_EQ_INT(ip_ok, matrix[i].sees);
			T_EQ_INT(email_ok, matrix[i].sees);
			if (matrix[i].sees) {
				T_EQ_STR(ip.data, "198.51.100.23");
				T_EQ_STR(email.data, "zoe@example.org");
				T_EQ_INT(audit_count(c.subject, "allow"), before_allow + 2);
			} else {
				T_ASSERT(ip.len == 0 && email.len == 0);
				T_EQ_INT(audit_count(c.subject, "deny"), before_deny + 2);
			}
			buf_reset(&ip);
			buf_reset(&email);
		}
	}

	/* editing: the author only, within the window */
	T_EQ_INT(comments_edit(s, mine, admin1.person, "hijack", HOLD_NONE, &st, msg, sizeof(msg)), ERR_DENIED);
	T_EQ_INT(comments_edit(s, top, alice, "not mine", HOLD_NONE, &st, msg, sizeof(msg)), ERR_DENIED);
	T_EQ_INT(comments_edit(s, mine, alice, "Member *here*", HOLD_NONE, &st, msg, sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(st, COMMENT_APPROVED);
	T_EQ_INT(comments_get(s, a, mine, &c), ERR_OK);
	T_CONTAINS(c.body_html, "<em>here</em>");
	/* alice has another approved comment: under first-time the edit stays approved;
	 * under hold all it goes back to moderation */
	T_EQ_INT(comments_edit(s, mine, alice, "Member *here*", HOLD_FIRST_TIME, &st, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(st, COMMENT_APPROVED);
	T_EQ_INT(comments_edit(s, mine, alice, "Member *here*", HOLD_ALL, &st, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(st, COMMENT_PENDING);
	T_EQ_INT(comments_get(s, a, mine, &c), ERR_OK);
	T_EQ_INT(c.status, COMMENT_PENDING);
	T_EQ_INT(comments_set_status(s, site1, mine, COMMENT_APPROVED), ERR_OK);
	T_ASSERT((q = store_prepare(s, &age_sql)) != NULL);
	store_bind_int(q, 1, LIMIT_COMMENT_EDIT_S + 1);
	store_bind_int(q, 2, mine);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	T_EQ_INT(comments_edit(s, mine, alice, "too late", HOLD_NONE, &st, msg, sizeof(msg)), ERR_CONFLICT);

	/* the member's export: their comments, with the IP opened as themself */
	buf_init(&json);
	{
		static const struct rights_section sections[] = {{"comments", comments_export}};
		T_EQ_INT(rights_export(p, s, alice, sections, 1, &json), ERR_OK);
		T_ASSERT((root = json_loadb(json.data, json.len, 0, &jerr)) != NULL);
		arr = json_object_get(json_object_get(root, "comments"), "comments");
		T_EQ_INT(json_array_size(arr), 2);
		T_EQ_STR(json_string_value(json_object_get(json_array_get(arr, 0), "text")),
		    "Member *here*");
		T_EQ_STR(json_string_value(json_object_get(json_array_get(arr, 0), "ip_address")),
		    "198.51.100.23");
		T_EQ_STR(json_string_value(json_object_get(json_array_get(arr, 0), "site")),
		    "one.test");
		json_decref(root);
	}

	/* deleting an anonymous comment shreds its key (and removes its replies) */
	T_EQ_INT(comments_get(s, a, top, &c), ERR_OK);
	T_EQ_INT(comments_delete(p, s, site2, top), ERR_NOTFOUND);
	T_EQ_INT(comments_delete(p, s, site1, top), ERR_OK);
	T_EQ_INT(comments_get(s, a, top, &c), ERR_NOTFOUND);
	T_EQ_INT(comments_get(s, a, reply, &c), ERR_NOTFOUND);
	buf_reset(&ip);
	T_EQ_INT(vault_seal(p, s, "commenter:1", "comments", "ip_sealed", 1, "x", 1, &ip),
	    ERR_NOTFOUND);

	/* erasing the member removes their comments */
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(comments_get(s, a, mine, &c), ERR_NOTFOUND);

	/* the table is listed for `candor db copy` */
	T_EQ_INT(comments_tables_count, 1);
	T_EQ_STR(comments_tables[0].name, "comments");
	T_EQ_INT(strlen(comments_tables[0].types), 15);

	buf_free(&ip);
	buf_free(&email);
	if (json.data)
		sodium_memzero(json.data, json.len);
	buf_free(&json);
	arena_free(a);
	privacy_free(p);
	store_close(s);
	return 0;
}
