/*
 * analytics (web glue): turns a response into an analytics event for the recorder
 * (analytics/recorder.h), on the request's thread, without touching the database.
 *
 * Which requests are recorded (docs/analytics.md): every response of a resolved site
 * (its Host, an alias, or default_site), whatever the method and status, except the
 * embedded files under /static/ and /healthz, which are no visitor's request for a
 * page. Requests that never reached a site (an unknown Host without default_site, a
 * request refused before routing) are not recorded. Of the recorded ones, a page view
 * is a human GET answered 2xx with an HTML page (schema.c): the writer counts those.
 *
 * What an event holds: the site id, the time, the path without query (tokens written
 * ":token", http_path_record), the status, browser family, major version and bot flag,
 * the primary language, the referring host (internal when it is the request's own host;
 * the writer also marks every other candor host), and the visitor hash when the request
 * carries the visitor cookie and neither DNT: 1 nor Sec-GPC: 1. Never the IP address,
 * the User-Agent, the referrer URL, the query string or the cookie's value.
 */
#include <string.h>

#include "analytics/recorder.h"
#include "sites/sites.h"
#include "web/web_int.h"

/* Whether the request is for the embedded files or the health check. */
static bool
web_analytics_skipped(const struct http_request *req)
{
	if (req->nsegs == 0)
		return false;
	if (strcmp(req->segs[0], "static") == 0)
		return true;
	return req->nsegs == 1 && strcmp(req->segs[0], "healthz") == 0;
}

void
web_analytics_response(struct http_request *req, int status, const char *content_type,
    void *arg)
{
	struct web_app *app = arg;
	struct analytics_event ev;
	struct analytics_ua ua;
	const char *v;

	if (app->recorder == NULL || req->site_id == 0 || req->method == NULL ||
	    web_analytics_skipped(req))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.site_id = req->site_id;
	ev.at = time_now();
	ev.status = status;
	ev.page = strcmp(req->method, "GET") == 0 && strncmp(content_type, "text/html", 9) == 0;
	v = http_header(req, "User-Agent");
	analytics_classify_ua(v, v ? strlen(v) : 0, &ua);
	ev.family = (uint8_t)ua.family;
	ev.major = ua.major;
	ev.bot = ua.bot;
	v = http_header(req, "Accept-Language");
	analytics_language(v, v ? strlen(v) : 0, ev.lang);
	v = http_header(req, "Referer");
	analytics_referrer_host(v, v ? strlen(v) : 0, ev.referrer);
	if (ev.referrer[0] && (strcmp(ev.referrer, req->host) == 0 ||
				  (req->site_name && strcmp(ev.referrer, req->site_name) == 0)))
		str_copy(ev.referrer, ANALYTICS_REFERRER_INTERNAL, sizeof(ev.referrer));
	http_path_record(req->segs, req->nsegs, http_param(req, "token"), ev.path,
	    sizeof(ev.path));
	if (!web_tracking_refused(req) && (v = http_cookie(req, WEB_COOKIE_VISITOR)) != NULL &&
	    v[0] != '\0')
		analytics_recorder_visitor(app->recorder, v, strlen(v), &ev);
	analytics_recorder_push(app->recorder, &ev);
}

/* The writer's check for a referring host: one of the sites' hosts or aliases. */
static bool
web_analytics_own_host(struct store *s, const char *host, void *arg)
{
	struct arena *a = arena_new();
	struct site site;
	bool own;

	(void)arg;
	if (a == NULL)
		return false;
	own = sites_find(s, a, host, &site) == ERR_OK;
	arena_free(a);
	return own;
}

enum err
web_analytics_start(struct web_app *app, const char *db_url, const char *password,
    char *errbuf, size_t errsize)
{
	if (!app->cfg.analytics_enabled)
		return ERR_OK;
	app->recorder = analytics_recorder_start(db_url, password, web_analytics_own_host, NULL,
	    errbuf, errsize);
	return app->recorder ? ERR_OK : ERR_IO;
}

void
web_analytics_stop(struct web_app *app)
{
	if (app == NULL)
		return;
	analytics_recorder_stop(app->recorder);
	app->recorder = NULL;
}
