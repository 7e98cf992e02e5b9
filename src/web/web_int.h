/* web_int: state and helpers shared by the web module's files. */
#ifndef WEB_INT_H
#define WEB_INT_H

#include <stdio.h>
#include <sys/types.h>

#include "core/embed.h"
#include "sites/sites.h"
#include "tmpl/tmpl.h"
#include "web/web.h"

struct web_static {
	const char *name; /* "style.css" */
	const struct embed_file *file;
	const char *type;
	char etag[24];    /* "\"0123456789abcdef\"" */
};

struct web_app {
	struct config cfg;
	struct store_pool *pool;
	struct tmpl_set *tmpl;
	struct http_router *router;
	struct web_static *statics;
	size_t nstatics;
	char css_href[64];
	char icon_href[64];
};

enum err web_routes(struct web_app *app);
const struct web_static *web_static_find(const struct web_app *app, const char *name);

/* This thread's database connection; on failure sets res->status 503 and returns NULL. */
struct store *web_store(struct web_app *app, struct http_response *res);
/* Resolves the request's site (Host, then default_site). On failure fills res (404
 * "unknown site", 503, 500) and returns false. */
bool web_site(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, struct site *site);
/* The base template context: site, navigation, asset URLs. NULL when the navigation
 * cannot be read; then res (if not NULL) has its status set (503 or 500). */
struct tmpl_val *web_context(struct web_app *app, struct http_request *req,
    struct http_response *res, const struct site *site, struct store *s);
/* Renders page template name inside the layout into res->body (500 on failure). */
void web_render(struct web_app *app, struct http_response *res, const char *name,
    struct tmpl_val *ctx);
/* Renders the error page for res->status with title and message. */
void web_error_page(struct web_app *app, struct http_request *req, struct http_response *res,
    const char *title, const char *msg);

/* ---- shared by the cli*.c files ---- */

#define CLI_ERR(...) fprintf(stderr, "candor: " __VA_ARGS__)

struct cli_db {
	char url[1200];
	char password[256];
};

/* Works out the store URL and password from the configuration; prints why not. */
bool cli_db_resolve(const struct config *cfg, struct cli_db *db);
/* Loads DIR's configuration and opens (and migrates) its database; prints why not. */
struct store *cli_open(const char *dir, struct config *cfg, struct cli_db *db);
/* Writes n bytes to a new file with mode, fsynced. */
enum err cli_write_file(const char *path, const void *p, size_t n, mode_t mode);
struct privacy;
/* cli_open, then the privacy keys (privacy_open); prints why not. On failure nothing is
 * left open. */
bool cli_open_private(const char *dir, struct config *cfg, struct store **s,
    struct privacy **p);
/* Normalises a host name from the command line; prints why not. */
bool cli_host(const char *in, char *out, size_t outsize);

#endif
