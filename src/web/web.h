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
/* The query parameters public pages vary by (for the response cache). */
extern const char *const web_cache_query_params[];
extern const char *const web_cache_neutral_cookies[];

/* Creates or upgrades every module's tables, in dependency order. */
enum err web_migrate(struct store *s);

/* Copies every module's rows from src into the empty database dst, schema included, in
 * one transaction on dst (all or nothing). ERR_CONFLICT when dst is not empty. Writes a
 * line per table to report if not NULL. */
enum err web_copy(struct store *src, struct store *dst, FILE *report);

/* ---- command line: main.c parses, cli*.c run ---- */

#define CLI_MAX_ARGS 48

/* The options given to a command, by name without "--"; flags have the value "". */
struct cli_args {
	const char *names[CLI_MAX_ARGS];
	const char *values[CLI_MAX_ARGS];
	size_t n;
};

const char *cli_arg(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* Every value of a repeatable option, in order; returns how many (at most max). */
size_t cli_arg_all(const struct cli_args *a, const char *name, const char **out, size_t max);

/*
 * A subcommand. options lists its options, space-separated, each a name followed by
 * '!' (required, takes a value), '?' (a flag), '*' (repeatable value) or nothing
 * (optional value). run returns the exit status: 0 ok, 1 failure (it printed why),
 * 2 usage error. Tables end with a NULL name.
 */
struct cli_command {
	const char *name;    /* "site add" */
	const char *options; /* "data! host! title! alias* demo?" */
	int (*run)(const struct cli_args *a);
	const char *usage;   /* the --help text */
};

extern const struct cli_command cli_core_commands[];    /* init, serve, db copy */
extern const struct cli_command cli_content_commands[]; /* site, post, page */
extern const struct cli_command cli_people_commands[];  /* user, staff */
extern const struct cli_command cli_rights_commands[];  /* user export|erase, retention */
extern const struct cli_command cli_privacy_commands[]; /* audit, keys */
extern const struct cli_command cli_legal_commands[];   /* legal (disclosure register) */
extern const struct cli_command cli_mail_commands[];    /* mail outbox */
extern const struct cli_command cli_analytics_commands[]; /* analytics classify */
extern const struct cli_command cli_policy_commands[];  /* policy publish|list */
extern const struct cli_command cli_shop_commands[];    /* product add|list, shop vat */

#endif
