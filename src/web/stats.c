/*
 * stats: the analytics dashboards (/admin/stats, with .csv and .json exports of exactly
 * what the page shows), the publication form, and the public trend pages (/stats,
 * /stats/all, and their .json) with k-suppression (issue 7, PRODUCT.md P3, P10, B3).
 *
 * Who sees what: the owner and staff see every site and the whole operator ("all"); a
 * site's administrators (site_roles admin) see that site; anyone else signed in gets 403
 * with a sentence, anyone signed out is sent to sign in. A site's administrators and the
 * owner may publish that site's /stats; only the owner may publish /stats/all. Both public
 * pages answer 404 with a sentence until published, then show report_build's public
 * report with the published k (one mechanism for the page, its JSON and `candor report
 * --public`).
 *
 * The dashboard also shows the recorder's counters (analytics/recorder.h) since this
 * server started: events stored, dropped because the queue was full, lost, pending.
 *
 * The dashboard's period form is a GET form (it changes nothing, and a token in a URL
 * would end up in logs); its fields are still read through a declared table.
 */
#include <stdlib.h>
#include <string.h>

#include "analytics/recorder.h"
#include "analytics/report.h"
#include "web/web_int.h"

#define STATS_FORM_PUBLISH "stats_publish"
#define STATS_BODY_LIMIT LIMIT_ACCOUNT_FORM_BODY

/* The dashboard's query: which site ("all" for every site) and period. */
static const struct form_field stats_query_fields[] = {
	{"site", "Site", FORM_TEXT, LIMIT_HOST_BYTES, false, 0, 0},
	{"range", "Period", FORM_TEXT, 8, false, 0, 0},
	{"from", "Start date", FORM_TEXT, 10, false, 0, 0},
	{"to", "End date", FORM_TEXT, 10, false, 0, 0},
};
enum { STATS_Q_SITE, STATS_Q_RANGE, STATS_Q_FROM, STATS_Q_TO };

/* The public pages' query: only the fixed periods. */
static const struct form_field stats_public_fields[] = {
	{"range", "Period", FORM_TEXT, 8, false, 0, 0},
};

static const struct form_field stats_publish_fields[] = {
	{"site", "Site", FORM_TEXT, LIMIT_HOST_BYTES, true, 0, 0},
	{"action", "Action", FORM_TEXT, 16, true, 0, 0},
	{"k", "Smallest figure shown (k)", FORM_INTEGER, 8, false, REPORT_K_MIN,
	    LIMIT_REPORT_K_MAX},
};
enum { STATS_P_SITE, STATS_P_ACTION, STATS_P_K };

/* What the signed-in person may see and publish. */
struct stats_rights {
	bool everything; /* owner or staff: every site and "all" */
	bool owner;      /* may publish anything */
	int64_t *admin_of; /* sites where the person is an administrator */
	size_t nadmin;
};

/* The scope a request asked for and may see. */
struct stats_scope {
	int64_t site_id;   /* REPORT_ALL_SITES for every site */
	const char *param; /* "all" or the site's primary host: the form value */
	const char *name;  /* "all sites" or the site's title */
	bool may_publish;
};

static void
stats_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

static int64_t
stats_today(void)
{
	return time_now() / 86400;
}

static bool
stats_admin_of(const struct stats_rights *rights, int64_t site)
{
	size_t i;

	for (i = 0; i < rights->nadmin; i++)
		if (rights->admin_of[i] == site)
			return true;
	return false;
}

/* Works out rights for u; false (403 or 5xx filled in) when the person may see nothing. */
static bool
stats_rights(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user *u, struct stats_rights *rights)
{
	struct person_site_role *roles = NULL;
	size_t n = 0, i;
	enum err e;

	memset(rights, 0, sizeof(*rights));
	rights->everything = u->role == ROLE_OWNER || u->role == ROLE_STAFF;
	rights->owner = u->role == ROLE_OWNER;
	if ((e = people_site_roles(s, req->arena, u->id, &roles, &n)) != ERR_OK) {
		stats_fail(res, e);
		return false;
	}
	if ((rights->admin_of = arena_alloc(req->arena, (n + 1) * sizeof(int64_t))) == NULL) {
		stats_fail(res, ERR_NOMEM);
		return false;
	}
	for (i = 0; i < n; i++)
		if (roles[i].role == SITE_ROLE_ADMIN)
			rights->admin_of[rights->nadmin++] = roles[i].site;
	if (!rights->everything && rights->nadmin == 0) {
		res->status = 403;
		web_error_page(app, req, res, "No access to statistics",
		    "Visitor statistics are for a site's administrators, the owner and staff; "
		    "your account is none of these.");
		return false;
	}
	return true;
}

/*
 * The scope asked for by param ("" for the default: this site if the person may see it,
 * else the first site they administer). On refusal fills res (403, 404) and returns
 * false.
 */
static bool
stats_scope(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *here, const struct stats_rights *rights,
    const char *param, struct stats_scope *out)
{
	struct site *sites = NULL, found;
	char host[LIMIT_HOST_BYTES + 1];
	size_t n = 0, i;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (strcmp(param, "all") == 0) {
		if (!rights->everything) {
			res->status = 403;
			web_error_page(app, req, res, "No access to statistics",
			    "Only the owner and staff see the statistics of all sites together.");
			return false;
		}
		out->site_id = REPORT_ALL_SITES;
		out->param = "all";
		out->name = "all sites";
		out->may_publish = rights->owner;
		return true;
	}
	if (param[0] == '\0') {
		if (rights->everything || stats_admin_of(rights, here->id)) {
			found = *here;
		} else {
			if ((e = sites_list(s, req->arena, &sites, &n)) != ERR_OK) {
				stats_fail(res, e);
				return false;
			}
			for (i = 0; i < n && !stats_admin_of(rights, sites[i].id); i++)
				;
			if (i == n) { /* administers only sites that are gone */
				res->status = 403;
				web_error_page(app, req, res, "No access to statistics",
				    "You are not an administrator of any site on this install.");
				return false;
			}
			found = sites[i];
		}
	} else {
		e = http_host_parse(param, host, sizeof(host)) == ERR_OK
		    ? sites_find(s, req->arena, host, &found) : ERR_NOTFOUND;
		if (e == ERR_NOTFOUND) {
			res->status = 404;
			web_error_page(app, req, res, "Unknown site",
			    arena_printf(req->arena, "No site is served at %s.", param));
			return false;
		}
		if (e != ERR_OK) {
			stats_fail(res, e);
			return false;
		}
		if (!rights->everything && !stats_admin_of(rights, found.id)) {
			res->status = 403;
			web_error_page(app, req, res, "No access to statistics",
			    arena_printf(req->arena, "You are not an administrator of %s, so you "
						     "cannot see its statistics.", found.host));
			return false;
		}
	}
	out->site_id = found.id;
	out->param = found.host;
	out->name = found.title;
	out->may_publish = rights->owner || stats_admin_of(rights, found.id);
	return true;
}

/* A figure as shown. */
static const char *
stats_figure(struct arena *a, const struct report *r, struct report_figure f)
{
	if (f.hidden)
		return arena_printf(a, "fewer than %d", r->k);
	return arena_printf(a, "%lld", (long long)f.n);
}

static void
stats_row(struct arena *a, struct tmpl_val *list, const struct report *r,
    const struct report_row *row)
{
	struct tmpl_val *o = tmpl_list_add(list);

	tmpl_set_str(o, "label", row->label);
	tmpl_set_str(o, "views", stats_figure(a, r, row->views));
	tmpl_set_str(o, "visitors", stats_figure(a, r, row->visitors));
}

/* The report's figures, chart and tables under "report" in ctx. */
static bool
stats_report_ctx(struct http_request *req, struct tmpl_val *ctx, const struct report *r,
    const char *title)
{
	struct tmpl_val *o, *list, *dims, *d, *rows;
	struct buf svg;
	char date[11];
	size_t i, j;
	bool ok;

	buf_init(&svg);
	report_svg(r, title, &svg);
	ok = !svg.failed;
	o = tmpl_set_obj(ctx, "report");
	report_day_text(r->from, date);
	tmpl_set_str(o, "from", date);
	report_day_text(r->to, date);
	tmpl_set_str(o, "to", date);
	tmpl_set_str(o, "ndays", arena_printf(req->arena, "%zu day%s", r->ndays,
	    r->ndays == 1 ? "" : "s"));
	tmpl_set_html(o, "chart", ok ? arena_strdup(req->arena, svg.data) : "");
	buf_free(&svg);
	tmpl_set_str(o, "views", stats_figure(req->arena, r, r->views));
	tmpl_set_str(o, "visitors", stats_figure(req->arena, r, r->visitors));
	if (r->k == 0)
		tmpl_set_str(o, "bot_views", arena_printf(req->arena, "%lld",
		    (long long)r->bot_views));
	list = tmpl_set_list(o, "days");
	for (i = 0; i < r->ndays && list; i++) {
		d = tmpl_list_add(list);
		report_day_text(r->days[i].day, date);
		tmpl_set_str(d, "date", date);
		tmpl_set_str(d, "views", stats_figure(req->arena, r, r->days[i].views));
		tmpl_set_str(d, "visitors", stats_figure(req->arena, r, r->days[i].visitors));
	}
	dims = tmpl_set_list(o, "dims");
	for (j = 0; j < REPORT_DIMS && dims; j++) {
		d = tmpl_list_add(dims);
		tmpl_set_str(d, "title", report_dim_title(r->dims[j].dim));
		tmpl_set_str(d, "name", report_dim_name(r->dims[j].dim));
		rows = tmpl_set_list(d, "rows");
		for (i = 0; i < r->dims[j].n && rows; i++)
			stats_row(req->arena, rows, r, &r->dims[j].rows[i]);
		if (r->dims[j].has_other && rows)
			stats_row(req->arena, rows, r, &r->dims[j].other);
		tmpl_set_bool(d, "has_rows", r->dims[j].n > 0 || r->dims[j].has_other);
	}
	return ok && o && list && dims;
}

/* Sends the report as CSV or JSON (an attachment named after scope and period). */
static void
stats_export(struct http_request *req, struct http_response *res, const struct report *r,
    const char *scope_param, bool json, bool attachment)
{
	char from[11], to[11];
	enum err e;

	if (json) {
		if ((e = report_json(r, scope_param, &res->body)) != ERR_OK) {
			stats_fail(res, e);
			return;
		}
		res->content_type = "application/json; charset=utf-8";
	} else {
		report_csv(r, &res->body);
		res->content_type = "text/csv; charset=utf-8";
	}
	if (res->body.failed) {
		stats_fail(res, ERR_NOMEM);
		return;
	}
	if (attachment) {
		/* scope_param is "all" or a normalised host name: nothing to quote */
		report_day_text(r->from, from);
		report_day_text(r->to, to);
		http_add_header(res, "Content-Disposition",
		    arena_printf(req->arena, "attachment; filename=\"candor-stats-%s-%s-%s.%s\"",
			scope_param, from, to, json ? "json" : "csv"));
	}
}

/* ---------------------------------------------------------- /admin/stats ---- */

enum stats_as { STATS_HTML, STATS_CSV, STATS_JSON };

static void
stats_dashboard(struct http_request *req, struct http_response *res, void *arg,
    enum stats_as as)
{
	static const char *const ranges[] = {"7", "30", "90", "custom"};
	static const char *const range_labels[] = {"Last 7 days", "Last 30 days",
	    "Last 90 days", "Custom dates"};
	struct web_app *app = arg;
	const struct web_user *u;
	struct stats_rights rights;
	struct stats_scope scope;
	struct report_period per;
	struct form_values fv;
	struct report r;
	struct tmpl_val *ctx, *list, *o;
	struct site here, *sites = NULL;
	struct store *s;
	const char *range;
	char msg[256] = "";
	size_t n = 0, i;
	enum err e;
	int k;
	bool period_ok;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &here))
		return;
	if ((u = web_require_user(app, req, res, s)) == NULL)
		return;
	if (!stats_rights(app, req, res, s, u, &rights))
		return;
	if (form_read(&req->query, stats_query_fields, COUNTOF(stats_query_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", arena_strdup(req->arena, msg));
		return;
	}
	if (!stats_scope(app, req, res, s, &here, &rights, fv.values[STATS_Q_SITE].text, &scope))
		return;
	range = fv.values[STATS_Q_RANGE].text;
	period_ok = report_period_parse(range, fv.values[STATS_Q_FROM].text,
	    fv.values[STATS_Q_TO].text, stats_today(), &per, msg, sizeof(msg)) == ERR_OK;
	if (period_ok && (e = report_build(s, req->arena, scope.site_id, per.from, per.to,
			      LIMIT_REPORT_TOP, 0, &r)) != ERR_OK) {
		stats_fail(res, e);
		return;
	}
	if (as != STATS_HTML) {
		if (!period_ok) {
			res->status = 400;
			web_error_page(app, req, res, "Bad period", arena_strdup(req->arena, msg));
			return;
		}
		stats_export(req, res, &r, scope.param, as == STATS_JSON, true);
		return;
	}
	if ((ctx = web_context(app, req, res, &here, s)) == NULL) {
		if (res->status < 500)
			stats_fail(res, ERR_NOMEM);
		return;
	}
	tmpl_set_str(ctx, "page_title", "Visitor statistics");
	tmpl_set_str(ctx, "scope_name", scope.name);
	tmpl_set_str(ctx, "scope", scope.param);
	/* the site picker: what the person may see */
	if ((e = sites_list(s, req->arena, &sites, &n)) != ERR_OK) {
		stats_fail(res, e);
		return;
	}
	list = tmpl_set_list(ctx, "sites");
	if (rights.everything && list) {
		o = tmpl_list_add(list);
		tmpl_set_str(o, "value", "all");
		tmpl_set_str(o, "label", "All sites");
		tmpl_set_bool(o, "selected", scope.site_id == REPORT_ALL_SITES);
	}
	for (i = 0; i < n && list; i++) {
		if (!rights.everything && !stats_admin_of(&rights, sites[i].id))
			continue;
		o = tmpl_list_add(list);
		tmpl_set_str(o, "value", sites[i].host);
		tmpl_set_str(o, "label", arena_printf(req->arena, "%s (%s)", sites[i].title,
		    sites[i].host));
		tmpl_set_bool(o, "selected", sites[i].id == scope.site_id);
	}
	list = tmpl_set_list(ctx, "ranges");
	for (i = 0; i < COUNTOF(ranges) && list; i++) {
		o = tmpl_list_add(list);
		tmpl_set_str(o, "value", ranges[i]);
		tmpl_set_str(o, "label", range_labels[i]);
		tmpl_set_bool(o, "selected", strcmp(range[0] ? range : "30", ranges[i]) == 0);
	}
	tmpl_set_str(ctx, "range", range[0] ? range : "30");
	tmpl_set_str(ctx, "form_from", fv.values[STATS_Q_FROM].text);
	tmpl_set_str(ctx, "form_to", fv.values[STATS_Q_TO].text);
	if (!period_ok) {
		res->status = 400;
		tmpl_set_str(ctx, "error", arena_strdup(req->arena, msg));
	} else if (!stats_report_ctx(req, ctx, &r, arena_printf(req->arena,
		       "Page views and visitors per day, %s", scope.name))) {
		stats_fail(res, ERR_NOMEM);
		return;
	}
	/* the recorder's health, for every scope: events it had to drop are missing from
	 * the figures (a full queue never blocks a page) */
	if (app->recorder) {
		struct analytics_recorder_counts c;

		analytics_recorder_counts(app->recorder, &c);
		o = tmpl_set_obj(ctx, "recorder");
		tmpl_set_str(o, "stored", arena_printf(req->arena, "%llu", (unsigned long long)c.stored));
		tmpl_set_str(o, "dropped", arena_printf(req->arena, "%llu",
		    (unsigned long long)c.dropped));
		tmpl_set_str(o, "lost", arena_printf(req->arena, "%llu", (unsigned long long)c.lost));
		tmpl_set_str(o, "pending", arena_printf(req->arena, "%llu",
		    (unsigned long long)c.pending));
		tmpl_set_bool(o, "trouble", c.dropped > 0 || c.lost > 0);
	}
	/* publication of this scope */
	if (scope.may_publish) {
		o = tmpl_set_obj(ctx, "publish");
		tmpl_set_str(o, "csrf", web_csrf_token(app, req, STATS_FORM_PUBLISH));
		tmpl_set_str(o, "site", scope.param);
		tmpl_set_str(o, "href", scope.site_id == REPORT_ALL_SITES ? "/stats/all" : "/stats");
		e = report_published(s, scope.site_id, &k);
		if (e != ERR_OK && e != ERR_NOTFOUND) {
			stats_fail(res, e);
			return;
		}
		tmpl_set_bool(o, "published", e == ERR_OK);
		tmpl_set_int(o, "k", e == ERR_OK ? k : REPORT_K_DEFAULT);
		tmpl_set_int(o, "k_min", REPORT_K_MIN);
		tmpl_set_bool(o, "saved", http_query(req, "published") != NULL);
	}
	res->cache_control = "no-store";
	web_render(app, res, "admin_stats", ctx);
}

static void
stats_admin_get(struct http_request *req, struct http_response *res, void *arg)
{
	stats_dashboard(req, res, arg, STATS_HTML);
}

static void
stats_admin_csv(struct http_request *req, struct http_response *res, void *arg)
{
	stats_dashboard(req, res, arg, STATS_CSV);
}

static void
stats_admin_json(struct http_request *req, struct http_response *res, void *arg)
{
	stats_dashboard(req, res, arg, STATS_JSON);
}

/* POST /admin/stats/publish: site, action publish (with k) or withdraw. */
static void
stats_publish_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct stats_rights rights;
	struct stats_scope scope;
	struct form_values fv;
	struct site here;
	struct store *s;
	const char *action;
	char msg[256];
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &here))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, STATS_FORM_PUBLISH))
		return;
	if ((u = web_require_user(app, req, res, s)) == NULL)
		return;
	if (!stats_rights(app, req, res, s, u, &rights))
		return;
	if (form_read(&req->form, stats_publish_fields, COUNTOF(stats_publish_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Not published", arena_strdup(req->arena, msg));
		return;
	}
	if (!stats_scope(app, req, res, s, &here, &rights, fv.values[STATS_P_SITE].text, &scope))
		return;
	if (!scope.may_publish) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed to publish",
		    scope.site_id == REPORT_ALL_SITES
			? "Only the owner may publish the statistics of all sites."
			: "Only the site's administrators and the owner may publish its statistics.");
		return;
	}
	action = fv.values[STATS_P_ACTION].text;
	if (strcmp(action, "publish") == 0) {
		e = report_publish(s, scope.site_id, fv.values[STATS_P_K].present
			? (int)fv.values[STATS_P_K].number : REPORT_K_DEFAULT, time_now());
	} else if (strcmp(action, "withdraw") == 0) {
		e = report_unpublish(s, scope.site_id);
	} else {
		res->status = 400;
		web_error_page(app, req, res, "Not published",
		    "The action must be publish or withdraw.");
		return;
	}
	if (e != ERR_OK) {
		stats_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/stats?site=%s&published=1",
	    scope.param));
}

/* -------------------------------------------------- /stats and /stats/all ---- */

static void
stats_public(struct http_request *req, struct http_response *res, void *arg, bool all,
    bool json)
{
	struct web_app *app = arg;
	struct report_period per;
	struct form_values fv;
	struct report r;
	struct tmpl_val *ctx, *list, *o;
	struct site here;
	struct store *s;
	const char *range, *name;
	char msg[256];
	int64_t site_id;
	size_t i;
	enum err e;
	int k;
	static const char *const ranges[] = {"7", "30", "90"};

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &here))
		return;
	site_id = all ? REPORT_ALL_SITES : here.id;
	if ((e = report_published(s, site_id, &k)) == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not published",
		    all ? "The statistics of all sites are not published."
			: "This site does not publish its visitor statistics.");
		return;
	} else if (e != ERR_OK) {
		stats_fail(res, e);
		return;
	}
	if (form_read(&req->query, stats_public_fields, COUNTOF(stats_public_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", arena_strdup(req->arena, msg));
		return;
	}
	range = fv.values[0].text;
	if (strcmp(range, "custom") == 0 || report_period_parse(range, NULL, NULL, stats_today(),
						 &per, msg, sizeof(msg)) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad period",
		    "The published periods are the last 7, 30 or 90 days.");
		return;
	}
	if ((e = report_build(s, req->arena, site_id, per.from, per.to, LIMIT_REPORT_TOP, k,
		 &r)) != ERR_OK) {
		stats_fail(res, e);
		return;
	}
	name = all ? "all" : here.host;
	if (json) {
		stats_export(req, res, &r, name, true, false);
		res->cacheable = res->status == 0;
		return;
	}
	if ((ctx = web_context(app, req, res, &here, s)) == NULL) {
		if (res->status < 500)
			stats_fail(res, ERR_NOMEM);
		return;
	}
	tmpl_set_str(ctx, "page_title", "Visitor statistics");
	tmpl_set_bool(ctx, "all", all);
	tmpl_set_int(ctx, "k", k);
	tmpl_set_str(ctx, "json_href", all ? "/stats/all.json" : "/stats.json");
	list = tmpl_set_list(ctx, "ranges");
	for (i = 0; i < COUNTOF(ranges) && list; i++) {
		o = tmpl_list_add(list);
		tmpl_set_str(o, "label", arena_printf(req->arena, "Last %s days", ranges[i]));
		tmpl_set_str(o, "href", arena_printf(req->arena, "%s?range=%s",
		    all ? "/stats/all" : "/stats", ranges[i]));
		tmpl_set_bool(o, "current", per.range == (int)strtol(ranges[i], NULL, 10));
	}
	if (!stats_report_ctx(req, ctx, &r, all ? "Page views and visitors per day, all sites"
						: "Page views and visitors per day")) {
		stats_fail(res, ERR_NOMEM);
		return;
	}
	res->cacheable = true;
	web_render(app, res, "stats", ctx);
}

static void
stats_site_get(struct http_request *req, struct http_response *res, void *arg)
{
	stats_public(req, res, arg, false, false);
}

static void
stats_site_json(struct http_request *req, struct http_response *res, void *arg)
{
	stats_public(req, res, arg, false, true);
}

static void
stats_all_get(struct http_request *req, struct http_response *res, void *arg)
{
	stats_public(req, res, arg, true, false);
}

static void
stats_all_json(struct http_request *req, struct http_response *res, void *arg)
{
	stats_public(req, res, arg, true, true);
}

enum err
web_routes_stats(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/admin/stats", stats_admin_get, 0, 0},
		{"GET", "/admin/stats.csv", stats_admin_csv, 0, 0},
		{"GET", "/admin/stats.json", stats_admin_json, 0, 0},
		{"POST", "/admin/stats/publish", stats_publish_post, STATS_BODY_LIMIT, 0},
		{"GET", "/stats", stats_site_get, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/stats.json", stats_site_json, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/stats/all", stats_all_get, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/stats/all.json", stats_all_json, 0, HTTP_ROUTE_CACHEABLE},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
