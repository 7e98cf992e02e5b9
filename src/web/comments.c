/*
 * comments: the comment form under a post and what happens when it is sent, a member's
 * edit of their own comment (10 minutes), and the Atom feed of a site's approved
 * comments (/comments.xml). The moderation queue is in web/moderation.c.
 *
 * A comment travels (ARCHITECTURE.md "A comment"): form fields read through a declared
 * table with bounds -> CSRF token checked (a hidden field: works with cookies refused) ->
 * the site's policy (open, members, closed) -> the honeypot field must be empty and the
 * form must have been served at least LIMIT_COMMENT_MIN_SUBMIT_S before (the token's
 * signed issue time) -> rate limits (in memory) -> the row, the sealed IP and email and
 * the admins' notice, in one transaction -> 303 to the post. Acknowledged means durable.
 *
 * Invariants:
 *   - A refused comment is answered with the post page again (400, 403 or 429), the
 *     input kept in the form and the error next to its field; nothing is cut.
 *   - The rate limits hold only keyed hashes (BLAKE2b under a random key made at start
 *     and never stored) of the client's address and of the member's id, with a count
 *     and a window start; nothing about them is written anywhere.
 *   - The admins' notice names the site, the post and the commenter's chosen name,
 *     never the IP address or the email.
 */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "mail/mail.h"
#include "sites/comments.h"
#include "web/web_int.h"

#define CSRF_COMMENT "comment"
#define STR_(x) #x
#define STR(x) STR_(x)
#define CSRF_COMMENT_EDIT "comment-edit"

static const struct form_field comment_fields[] = {
	{"name", "Name", FORM_TEXT, LIMIT_COMMENT_AUTHOR_CHARS, false, 0, 0},
	{"email", "Email", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, false, 0, 0},
	{"text", "Comment", FORM_MULTILINE, LIMIT_COMMENT_CHARS, true, 0, 0},
	{"parent", "Reply to", FORM_INTEGER, 20, false, 0, INT64_MAX},
	{"website", "Website", FORM_TEXT, 2048, false, 0, 0},
};
enum { CF_NAME, CF_EMAIL, CF_TEXT, CF_PARENT, CF_WEBSITE, CF__MAX };

static const struct form_field edit_fields[] = {
	{"text", "Comment", FORM_MULTILINE, LIMIT_COMMENT_CHARS, true, 0, 0},
};

/* ------------------------------------------------------------ rate limits ---- */

struct comment_rate_slot {
	unsigned char key[16]; /* keyed hash of ("ip" or "member", the value) */
	int64_t start;         /* the window's start; 0: free */
	uint32_t count;
};

static struct comment_rate_slot comment_rate[LIMIT_COMMENT_RATE_SLOTS];
static pthread_mutex_t comment_rate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t comment_rate_once = PTHREAD_ONCE_INIT;
static unsigned char comment_rate_hash_key[crypto_generichash_KEYBYTES];

static void
comment_rate_init(void)
{
	randombytes_buf(comment_rate_hash_key, sizeof(comment_rate_hash_key));
}

static void
comment_rate_keyof(const char *kind, const char *value, unsigned char out[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, comment_rate_hash_key, sizeof(comment_rate_hash_key), 16);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&st, out, 16);
}

/* The slot of key (the lock held): its own, a free or expired one, or the oldest of the
 * probed ones (a flood can only make others' windows start again, never its own). */
static struct comment_rate_slot *
comment_rate_slot(const unsigned char key[16], int64_t now)
{
	struct comment_rate_slot *sl, *spare = NULL, *oldest = NULL;
	uint32_t h;
	size_t i;

	memcpy(&h, key, sizeof(h));
	for (i = 0; i < 8; i++) {
		sl = &comment_rate[(h + i) % LIMIT_COMMENT_RATE_SLOTS];
		if (sl->start != 0 && memcmp(sl->key, key, 16) == 0) {
			if (now - sl->start >= LIMIT_COMMENT_RATE_WINDOW_S) {
				sl->start = now;
				sl->count = 0;
			}
			return sl;
		}
		if (sl->start == 0 || now - sl->start >= LIMIT_COMMENT_RATE_WINDOW_S) {
			if (spare == NULL)
				spare = sl;
		} else if (oldest == NULL || sl->start < oldest->start)
			oldest = sl;
	}
	if (spare == NULL)
		spare = oldest;
	memcpy(spare->key, key, 16);
	spare->start = now;
	spare->count = 0;
	return spare;
}

/*
 * Counts one comment from ip (and member, when not 0) if neither is over its limit in
 * the current window: true. Otherwise counts nothing and returns false.
 */
static bool
comment_rate_take(const char *ip, int64_t member)
{
	unsigned char kip[16], kmember[16];
	struct comment_rate_slot *a, *b = NULL;
	char id[24];
	int64_t now = time_now();
	bool ok;

	pthread_once(&comment_rate_once, comment_rate_init);
	comment_rate_keyof("ip", ip, kip);
	if (member) {
		snprintf(id, sizeof(id), "%lld", (long long)member);
		comment_rate_keyof("member", id, kmember);
	}
	pthread_mutex_lock(&comment_rate_lock);
	a = comment_rate_slot(kip, now);
	if (member)
		b = comment_rate_slot(kmember, now);
	ok = a->count < LIMIT_COMMENTS_PER_IP && (b == NULL || b->count < LIMIT_COMMENTS_PER_MEMBER);
	if (ok) {
		a->count++;
		if (b)
			b->count++;
	}
	pthread_mutex_unlock(&comment_rate_lock);
	sodium_memzero(kip, sizeof(kip));
	return ok;
}

/* ------------------------------------------------------- the post's part ---- */

static void
comment_dates(struct tmpl_val *o, int64_t t)
{
	char iso[21], human[32];

	time_rfc3339(t, iso);
	time_human_date(t, human);
	tmpl_set_str(o, "date_iso", iso);
	tmpl_set_str(o, "date_human", human);
}

/* Whether the viewer may write here; otherwise *why says why not. */
static bool
comment_allowed(const struct site *site, const struct web_user *u, const char **why)
{
	*why = NULL;
	if (site->comment_policy == COMMENTS_CLOSED) {
		*why = "Comments are closed on this site.";
		return false;
	}
	if (site->comment_policy == COMMENTS_MEMBERS && u == NULL) {
		*why = "Only members can comment here: sign in (or sign up) to join in.";
		return false;
	}
	return true;
}

static void
comment_item(struct http_request *req, const struct comment *c, const struct web_user *u,
    struct tmpl_val *o)
{
	tmpl_set_int(o, "id", c->id);
	tmpl_set_str(o, "author", c->author);
	tmpl_set_bool(o, "member", c->person_id != 0);
	tmpl_set_html(o, "body", c->body_html);
	tmpl_set_bool(o, "edited", c->updated_at > c->created_at);
	comment_dates(o, c->created_at);
	if (u && c->person_id == u->id && time_now() - c->created_at < LIMIT_COMMENT_EDIT_S)
		tmpl_set_str(o, "edit_href", arena_printf(req->arena, "/comments/%lld/edit",
						 (long long)c->id));
}

enum err
web_comments_fill(struct web_app *app, struct http_request *req, struct store *s,
    const struct site *site, const struct post *post, const struct web_comment_form *form,
    struct tmpl_val *ctx)
{
	const struct web_user *u = web_user(app, req, s);
	struct tmpl_val *list, *item = NULL, *replies = NULL, *o, *r;
	struct comment *cs;
	const char *why, *q, *replying_to = NULL;
	long long reply = 0;
	size_t n, i;
	bool allowed = comment_allowed(site, u, &why);
	enum err e;

	if ((e = comments_list_post(s, req->arena, post->id, &cs, &n)) != ERR_OK)
		return e;
	tmpl_set_bool(ctx, "comments_on", true);
	tmpl_set_int(ctx, "comment_count", (int64_t)n);
	tmpl_set_bool(ctx, "one_comment", n == 1);
	if (form && form->parent)
		reply = form->parent;
	else if ((q = http_query(req, "reply")) != NULL && strnum(q, 1, INT64_MAX, &reply) != ERR_OK)
		reply = 0;
	if (form == NULL && (q = http_query(req, "held")) != NULL && strcmp(q, "1") == 0)
		tmpl_set_str(ctx, "comment_notice", "Thank you. Your comment waits for the site's "
						    "moderators and shows here once approved.");
	list = tmpl_set_list(ctx, "comments");
	for (i = 0; i < n && list; i++) {
		if (cs[i].parent_id == 0) {
			item = tmpl_list_add(list);
			replies = NULL;
			comment_item(req, &cs[i], u, item);
			if (allowed)
				tmpl_set_str(item, "reply_href",
				    arena_printf(req->arena, "/posts/%s?reply=%lld#comment-form",
					post->slug, (long long)cs[i].id));
			if (cs[i].id == reply)
				replying_to = cs[i].author;
		} else if (item) {
			if (replies == NULL)
				replies = tmpl_set_list(tmpl_set_obj(item, "replies"), "items");
			if (replies && (r = tmpl_list_add(replies)) != NULL)
				comment_item(req, &cs[i], u, r);
		}
	}
	if (!allowed) {
		tmpl_set_str(ctx, "comment_closed", why);
		return ERR_OK;
	}
	o = tmpl_set_obj(ctx, "comment_form");
	tmpl_set_str(o, "action", arena_printf(req->arena, "/posts/%s/comments", post->slug));
	tmpl_set_str(o, "csrf", web_csrf_token(app, req, CSRF_COMMENT));
	tmpl_set_int(o, "max_chars", LIMIT_COMMENT_CHARS);
	if (u)
		tmpl_set_str(o, "member", u->username);
	if (replying_to) {
		tmpl_set_int(o, "parent", reply);
		tmpl_set_str(o, "replying_to", replying_to);
		tmpl_set_str(o, "cancel_href", arena_printf(req->arena, "/posts/%s#comments",
						   post->slug));
	}
	if (form) {
		tmpl_set_str(o, "name", form->name);
		tmpl_set_str(o, "email", form->email);
		tmpl_set_str(o, "text", form->text);
		tmpl_set_str(o, "error", form->error);
		if (form->field && form->error)
			tmpl_set_str(o, arena_printf(req->arena, "error_%s", form->field),
			    form->error);
	}
	return ERR_OK;
}

/* ----------------------------------------------------------- sending one ---- */

static void
comment_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	res->cacheable = false;
	buf_reset(&res->body);
}

/* The post page again with the refused form: status, the input kept, the error. */
static void
comment_again(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct post *post,
    struct web_comment_form *form, int status, const char *field, const char *error)
{
	res->status = status;
	res->cache_control = "no-store";
	res->cacheable = false;
	form->field = field;
	form->error = error;
	web_post_page(app, req, res, s, site, post, form);
}

/*
 * Tells each admin of the site, by mail, that a comment waits (inside the comment's
 * transaction: the notice is queued if and only if the comment is stored). The address
 * is opened through the gate as the system, purpose delivery, as for account mail.
 */
static enum err
comment_notify(struct web_app *app, struct http_request *req, struct store *s,
    const struct site *site, const struct post *post, const char *author)
{
	static const struct gate_actor sys = {0, true};
	struct buf to, subject, body;
	int64_t *admins;
	size_t n, i;
	enum err e;

	if ((e = comments_site_admins(s, req->arena, site->id, &admins, &n)) != ERR_OK)
		return e;
	buf_init(&to);
	buf_init(&subject);
	buf_init(&body);
	buf_puts(&subject, "A comment waits for moderation");
	/* one value a line: a name, a title and a site title at their longest (4 bytes a
	 * character) each stay under the mail line limit together with their label */
	buf_printf(&body, "Hello,\n\nA new comment waits for moderation. It shows on the site "
			  "once an\nadministrator approves it.\n\nSite: %s\nPost: %s\nName given: %s\n\n"
			  "  %s/admin/comments\n\n-- \n%s\n",
	    site->title, post->title, author, site->origin, site->origin);
	if (subject.failed || body.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n && e == ERR_OK; i++) {
		buf_reset(&to);
		if ((e = people_email(app->privacy, s, &sys, PURPOSE_DELIVERY, admins[i], &to)) !=
		    ERR_OK)
			break;
		e = mail_enqueue(app->privacy, s, admins[i], to.data, subject.data, body.data, NULL);
		if (to.data)
			sodium_memzero(to.data, to.len);
	}
out:
	buf_free(&to);
	buf_free(&subject);
	buf_free(&body);
	return e;
}

/* form_read one field at a time: *bad is the first refused one. */
static enum err
comment_form_read(const struct http_form *in, const struct form_field *fields, size_t n,
    struct form_values *out, size_t *bad, char *msg, size_t msgsize)
{
	struct form_values one;
	size_t i;
	enum err e;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		if ((e = form_read(in, &fields[i], 1, &one, msg, msgsize)) != ERR_OK) {
			*bad = i;
			return e;
		}
		out->values[i] = one.values[0];
	}
	out->n = n;
	return ERR_OK;
}

static void
comment_post(struct http_request *req, struct http_response *res, void *arg)
{
	static const char *const field_names[CF__MAX] = {"name", "email", "text", "text",
	    "text"};
	struct web_app *app = arg;
	struct web_comment_form form;
	struct form_values v;
	struct comment_new cn;
	const struct web_user *u;
	const char *why, *field = NULL, *ip;
	struct store *s;
	struct site site;
	struct post post;
	enum comment_status st = COMMENT_PENDING;
	char msg[256];
	int64_t id = 0, issued;
	size_t bad = 0;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if ((e = posts_get(s, req->arena, site.id, POST_KIND_POST, http_param(req, "slug"),
		 &post)) != ERR_OK) {
		if (e != ERR_NOTFOUND) {
			comment_fail(res, e);
			return;
		}
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no post at this address.");
		return;
	}
	if (!web_csrf_ok(app, req, res, CSRF_COMMENT))
		return;
	u = web_user(app, req, s);
	memset(&form, 0, sizeof(form));
	form.name = http_form_get(&req->form, "name");
	form.email = http_form_get(&req->form, "email");
	form.text = http_form_get(&req->form, "text");
	if (!comment_allowed(&site, u, &why)) {
		comment_again(app, req, res, s, &site, &post, &form, 403, NULL, why);
		return;
	}
	if (comment_form_read(&req->form, comment_fields, CF__MAX, &v, &bad, msg,
		sizeof(msg)) != ERR_OK) {
		comment_again(app, req, res, s, &site, &post, &form, 400,
		    bad < CF__MAX ? field_names[bad] : NULL, arena_strdup(req->arena, msg));
		return;
	}
	form.parent = (int64_t)v.values[CF_PARENT].number;
	if (v.values[CF_WEBSITE].present) {
		comment_again(app, req, res, s, &site, &post, &form, 400, NULL,
		    "the field meant to stay empty (it is there to catch robots) was filled in. "
		    "Leave it empty and send again.");
		return;
	}
	issued = csrf_issued_at(http_form_get(&req->form, CSRF_FIELD));
	if (time_now() - issued < LIMIT_COMMENT_MIN_SUBMIT_S) {
		comment_again(app, req, res, s, &site, &post, &form, 400, NULL,
		    "it came within seconds of opening the page, as robots do. Wait a moment "
		    "and send it again.");
		return;
	}
	if (u == NULL && !v.values[CF_NAME].present) {
		comment_again(app, req, res, s, &site, &post, &form, 400, "name",
		    "Please give a name to show with your comment.");
		return;
	}
	ip = http_client_ip(req);
	if (!comment_rate_take(ip ? ip : "", u ? u->id : 0)) {
		http_add_header(res, "Retry-After", STR(LIMIT_COMMENT_RATE_WINDOW_S));
		comment_again(app, req, res, s, &site, &post, &form, 429, NULL,
		    "too many comments came from here in the last minutes. Please wait a few "
		    "minutes and send it again.");
		return;
	}
	memset(&cn, 0, sizeof(cn));
	cn.site_id = site.id;
	cn.post_id = post.id;
	cn.parent_id = form.parent;
	cn.person_id = u ? u->id : 0;
	cn.author = u ? u->username : v.values[CF_NAME].text;
	cn.email = u ? NULL : v.values[CF_EMAIL].text;
	cn.ip = ip ? ip : "";
	cn.markdown = v.values[CF_TEXT].text;
	cn.hold = site.comment_hold;
	if ((e = store_begin(s)) != ERR_OK) {
		comment_fail(res, e);
		return;
	}
	e = comments_add(app->privacy, s, &cn, &id, &st, &field, msg, sizeof(msg));
	if (e == ERR_OK && st == COMMENT_PENDING)
		e = comment_notify(app, req, s, &site, &post, cn.author);
	if (e != ERR_OK) {
		store_rollback(s);
		if (e == ERR_INVAL || e == ERR_TOOBIG) {
			comment_again(app, req, res, s, &site, &post, &form, 400, field,
			    arena_strdup(req->arena, msg));
			return;
		}
		comment_fail(res, e);
		return;
	}
	if ((e = store_commit(s)) != ERR_OK) {
		comment_fail(res, e);
		return;
	}
	http_redirect(res, 303, st == COMMENT_APPROVED
				    ? arena_printf(req->arena, "/posts/%s#comment-%lld", post.slug,
					  (long long)id)
				    : arena_printf(req->arena, "/posts/%s?held=1#comments", post.slug));
}

/* ------------------------------------------------------------- editing ---- */

/* The comment of :id that u may still edit, or false with res answered. */
static bool
comment_own(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user *u, struct comment *c)
{
	long long id;
	enum err e;

	if (strnum(http_param(req, "id"), 1, INT64_MAX, &id) != ERR_OK ||
	    (e = comments_get(s, req->arena, id, c)) == ERR_NOTFOUND ||
	    (e == ERR_OK && c->site_id != ((const struct site *)req->app_site)->id)) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such comment.");
		return false;
	}
	if (e != ERR_OK) {
		comment_fail(res, e);
		return false;
	}
	if (c->person_id != u->id) {
		res->status = 403;
		web_error_page(app, req, res, "Not yours", "Only its author can edit a comment.");
		return false;
	}
	if (time_now() - c->created_at > LIMIT_COMMENT_EDIT_S) {
		res->status = 409;
		web_error_page(app, req, res, "Too late to edit",
		    "A comment can be edited for 10 minutes after it was written.");
		return false;
	}
	return true;
}

static void
comment_edit_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct comment *c, const char *text,
    const char *error)
{
	struct tmpl_val *ctx;

	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Edit your comment");
	tmpl_set_str(ctx, "post_title", c->post_title);
	tmpl_set_str(ctx, "post_href", arena_printf(req->arena, "/posts/%s#comment-%lld",
					    c->post_slug, (long long)c->id));
	tmpl_set_str(ctx, "action", arena_printf(req->arena, "/comments/%lld/edit",
					 (long long)c->id));
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, CSRF_COMMENT_EDIT));
	tmpl_set_str(ctx, "text", text);
	tmpl_set_str(ctx, "error_text", error);
	tmpl_set_int(ctx, "max_chars", LIMIT_COMMENT_CHARS);
	web_render(app, res, "comment_edit", ctx);
}

static void
comment_edit_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct comment c;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    (u = web_require_user(app, req, res, s)) == NULL || !comment_own(app, req, res, s, u, &c))
		return;
	comment_edit_page(app, req, res, s, &site, &c, c.body_md, NULL);
}

static void
comment_edit_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct form_values v;
	struct comment c;
	struct store *s;
	struct site site;
	char msg[256];
	enum comment_status st;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_COMMENT_EDIT) ||
	    (u = web_require_user(app, req, res, s)) == NULL || !comment_own(app, req, res, s, u, &c))
		return;
	if (form_read(&req->form, edit_fields, COUNTOF(edit_fields), &v, msg, sizeof(msg)) !=
	    ERR_OK) {
		res->status = 400;
		comment_edit_page(app, req, res, s, &site, &c, http_form_get(&req->form, "text"),
		    arena_strdup(req->arena, msg));
		return;
	}
	e = comments_edit(s, c.id, u->id, v.values[0].text, site.comment_hold, &st, msg,
	    sizeof(msg));
	if (e == ERR_INVAL || e == ERR_TOOBIG || e == ERR_CONFLICT) {
		res->status = e == ERR_CONFLICT ? 409 : 400;
		comment_edit_page(app, req, res, s, &site, &c, v.values[0].text,
		    arena_strdup(req->arena, msg));
		return;
	}
	if (e != ERR_OK) {
		comment_fail(res, e);
		return;
	}
	if (st == COMMENT_PENDING)
		http_redirect(res, 303, arena_printf(req->arena, "/posts/%s?held=1#comments",
					    c.post_slug));
	else
		http_redirect(res, 303, arena_printf(req->arena, "/posts/%s#comment-%lld",
					    c.post_slug, (long long)c.id));
}

/* ---------------------------------------------------------------- feed ---- */

static void
comment_feed(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;
	struct comment *cs;
	struct buf *b = &res->body;
	char iso[21];
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = comments_list_site(s, req->arena, site.id, COMMENT_APPROVED, 0,
		 LIMIT_FEED_ENTRIES, &cs, &n)) != ERR_OK) {
		comment_fail(res, e);
		return;
	}
	time_rfc3339(n ? cs[0].updated_at : time_now(), iso);
	web_atom_head(b, &site, "Comments on ", NULL, "/comments.xml", "/comments.xml", iso);
	for (i = 0; i < n; i++) {
		buf_puts(b, "<entry>\n<title>");
		tmpl_escape_text(b, cs[i].author);
		buf_puts(b, " on ");
		tmpl_escape_text(b, cs[i].post_title);
		buf_puts(b, "</title>\n<id>");
		tmpl_escape_text(b, site.origin);
		buf_puts(b, "/posts/");
		tmpl_escape_text(b, cs[i].post_slug);
		buf_printf(b, "#comment-%lld</id>\n<link rel=\"alternate\" href=\"", (long long)cs[i].id);
		tmpl_escape_text(b, site.origin);
		buf_puts(b, "/posts/");
		tmpl_escape_text(b, cs[i].post_slug);
		time_rfc3339(cs[i].created_at, iso);
		buf_printf(b, "#comment-%lld\"/>\n<published>%s</published>\n", (long long)cs[i].id,
		    iso);
		time_rfc3339(cs[i].updated_at, iso);
		buf_printf(b, "<updated>%s</updated>\n<author><name>", iso);
		tmpl_escape_text(b, cs[i].author);
		buf_puts(b, "</name></author>\n<content type=\"html\">");
		tmpl_escape_text(b, cs[i].body_html);
		buf_puts(b, "</content>\n</entry>\n");
	}
	buf_puts(b, "</feed>\n");
	res->content_type = "application/atom+xml; charset=utf-8";
	res->cache_control = "no-cache";
	res->cacheable = true;
}

enum err
web_routes_comments(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"POST", "/posts/:slug/comments", comment_post, LIMIT_COMMENT_FORM_BODY, 0},
		{"GET", "/comments/:id/edit", comment_edit_get, 0, 0},
		{"POST", "/comments/:id/edit", comment_edit_post, LIMIT_COMMENT_FORM_BODY, 0},
		{"GET", "/comments.xml", comment_feed, 0, HTTP_ROUTE_CACHEABLE},
	};
	enum err e;

	if ((e = web_routes_add(app, routes, COUNTOF(routes))) != ERR_OK)
		return e;
	return web_routes_moderation(app);
}
