/*
 * web: the HTTP handlers, the only code that knows both HTTP and the domain. Builds the
 * router, resolves a request's site from its Host, renders templates, and turns domain
 * errors into pages (404, 503 while the database is unreachable, 500 with a reference).
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <stdio.h>

#include "core/core.h"
#include "http/http.h"
#include "store/store.h"

struct web_app;

/* Opens the database pool and compiles the templates. On failure writes a sentence
 * into errbuf and returns NULL. */
struct web_app *web_app_new(const struct config *cfg, const char *db_url,
    const char *db_password, char *errbuf, size_t errsize);
void web_app_free(struct web_app *app);

/* The configured router (owned by the app) and the error page renderer. */
struct http_router *web_app_router(struct web_app *app);
void web_render_error(struct http_request *req, struct http_response *res, const char *msg,
    void *app);

/* The response cache's validity number: the store's generation (changes on any
 * committed write, from any process or node). */
uint64_t web_cache_generation(void *app);

/* Creates or upgrades every module's tables, in dependency order. */
enum err web_migrate(struct store *s);

/* Copies every module's rows from src into the empty database dst, schema included, in
 * one transaction on dst (all or nothing). ERR_CONFLICT when dst is not empty. Writes a
 * line per table to report if not NULL. */
enum err web_copy(struct store *src, struct store *dst, FILE *report);

/* ---- command line (cli.c); each returns the process exit status: 0 ok, 1 failure ---- */
int cli_init(const char *dir, bool demo, const char *database);
int cli_serve(const char *dir, const char *listen);
int cli_site_add(const char *dir, const char *host, const char *title, const char *tagline,
    const char *origin, const char *const *aliases, size_t naliases);
int cli_site_list(const char *dir);
/* kind: "post" or "page" */
int cli_post_add(const char *dir, const char *kind, const char *site_host, const char *title,
    const char *file, const char *slug, bool draft);
int cli_post_list(const char *dir, const char *kind, const char *site_host);
/* Copies DIR's database into the empty database at url and points DIR's config at it. */
int cli_db_copy(const char *dir, const char *url);

#endif
