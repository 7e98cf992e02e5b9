/*
 * cli_content: commands for sites, posts and pages (site add|list, post add|list,
 * page add|list). Hosts given on the command line are normalised like Host headers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sites/sites.h"
#include "web/web_int.h"

static int
cli_site_add(const char *dir, const char *host, const char *title, const char *tagline,
    const char *origin, const char *const *aliases, size_t naliases)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	char originbuf[400];
	int64_t id = 0;
	enum err e;

	if ((s = cli_open(dir, &cfg, &db)) == NULL)
		return 1;
	if (origin == NULL) {
		snprintf(originbuf, sizeof(originbuf), "https://%s", host);
		origin = originbuf;
	}
	e = sites_add(s, host, title, tagline, origin, aliases, naliases, &id);
	store_close(s);
	switch (e) {
	case ERR_OK:
		printf("Added site %lld: %s\n", (long long)id, host);
		return 0;
	case ERR_CONFLICT:
		CLI_ERR("a site already uses %s (or one of the aliases)\n", host);
		break;
	case ERR_INVAL:
		CLI_ERR("the title must be 1 to %d characters on one line, the origin "
			"http(s)://host[:port] without a trailing slash, and a site has at most %d "
			"hosts\n", LIMIT_TITLE, LIMIT_HOSTS_PER_SITE);
		break;
	default:
		CLI_ERR("cannot add the site: %s\n", err_str(e));
		break;
	}
	return 1;
}

static int
cli_site_list(const char *dir)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *a;
	struct site *sites = NULL;
	size_t n = 0, i;
	enum err e;

	if ((s = cli_open(dir, &cfg, &db)) == NULL)
		return 1;
	if ((a = arena_new()) == NULL) {
		store_close(s);
		return 1;
	}
	e = sites_list(s, a, &sites, &n);
	if (e == ERR_OK) {
		printf("%-4s %-36s %-28s %s\n", "ID", "HOST", "TITLE", "ALIASES");
		for (i = 0; i < n; i++)
			printf("%-4lld %-36s %-28s %s\n", (long long)sites[i].id, sites[i].host,
			    sites[i].title, sites[i].aliases);
	} else {
		CLI_ERR("cannot list sites: %s\n", err_str(e));
	}
	arena_free(a);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

/* Reads a markdown file of at most LIMIT_BODY_MARKDOWN bytes into a malloc'd string. */
char *
cli_read_markdown(const char *file)
{
	FILE *f;
	char *p;
	size_t n;

	if ((f = fopen(file, "rb")) == NULL) {
		CLI_ERR("cannot read %s: %s\n", file, strerror(errno));
		return NULL;
	}
	if ((p = malloc(LIMIT_BODY_MARKDOWN + 2)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, LIMIT_BODY_MARKDOWN + 1, f);
	if (ferror(f) || n > LIMIT_BODY_MARKDOWN) {
		CLI_ERR("%s is %s\n", file, ferror(f) ? "unreadable" : "larger than 512 KiB");
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	if (strlen(p) != n) {
		CLI_ERR("%s contains a NUL byte; it is not a text file\n", file);
		free(p);
		return NULL;
	}
	return p;
}

static bool
cli_find_site(struct store *s, struct arena *a, const char *host, struct site *site)
{
	enum err e = sites_find(s, a, host, site);

	if (e == ERR_NOTFOUND)
		CLI_ERR("no site is served at %s (see: candor site list)\n", host);
	else if (e != ERR_OK)
		CLI_ERR("cannot look up the site: %s\n", err_str(e));
	return e == ERR_OK;
}

static int
cli_post_add(const char *dir, const char *kind, const char *site_host, const char *title,
    const char *file, const char *slug, bool draft)
{
	enum post_kind k = strcmp(kind, "page") == 0 ? POST_KIND_PAGE : POST_KIND_POST;
	struct config cfg;
	struct cli_db db;
	struct store *s = NULL;
	struct arena *a = NULL;
	struct site site;
	char *md = NULL, msg[256] = "";
	int64_t id = 0;
	enum err e;
	int rc = 1;

	if ((md = cli_read_markdown(file)) == NULL)
		return 1;
	if ((s = cli_open(dir, &cfg, &db)) == NULL || (a = arena_new()) == NULL)
		goto out;
	if (!cli_find_site(s, a, site_host, &site))
		goto out;
	e = posts_add(s, site.id, k, slug, title, md, draft, 0, &id, msg, sizeof(msg));
	if (e != ERR_OK) {
		CLI_ERR("cannot add the %s: %s\n", kind, msg[0] ? msg : err_str(e));
		goto out;
	}
	printf("Added %s %lld%s\n", kind, (long long)id, draft ? " (draft)" : "");
	rc = 0;
out:
	free(md);
	arena_free(a);
	store_close(s);
	return rc;
}

static int
cli_post_list(const char *dir, const char *kind, const char *site_host)
{
	enum post_kind k = strcmp(kind, "page") == 0 ? POST_KIND_PAGE : POST_KIND_POST;
	struct config cfg;
	struct cli_db db;
	struct store *s = NULL;
	struct arena *a = NULL;
	struct site site;
	struct post *list;
	char date[21];
	size_t n, i;
	int rc = 1;

	if ((s = cli_open(dir, &cfg, &db)) == NULL || (a = arena_new()) == NULL)
		goto out;
	if (!cli_find_site(s, a, site_host, &site))
		goto out;
	if (posts_list_all(s, a, site.id, k, &list, &n) != ERR_OK) {
		CLI_ERR("cannot list: %s\n", store_errmsg(s));
		goto out;
	}
	printf("%-5s %-10s %-20s %-32s %s\n", "ID", "STATUS", "PUBLISHED", "SLUG", "TITLE");
	for (i = 0; i < n; i++) {
		if (list[i].draft)
			str_copy(date, "-", sizeof(date));
		else
			time_rfc3339(list[i].published_at, date);
		printf("%-5lld %-10s %-20s %-32s %s\n", (long long)list[i].id,
		    list[i].draft ? "draft" : "published", date, list[i].slug, list[i].title);
	}
	rc = 0;
out:
	arena_free(a);
	store_close(s);
	return rc;
}

static int
run_site_add(const struct cli_args *a)
{
	static char hosts[LIMIT_HOSTS_PER_SITE][LIMIT_HOST_BYTES + 8];
	const char *aliases[LIMIT_HOSTS_PER_SITE];
	size_t n, i;

	n = cli_arg_all(a, "alias", aliases, LIMIT_HOSTS_PER_SITE);
	if (n == LIMIT_HOSTS_PER_SITE) {
		CLI_ERR("a site has at most %d aliases\n", LIMIT_HOSTS_PER_SITE - 1);
		return 2;
	}
	if (!cli_host(cli_arg(a, "host"), hosts[0], sizeof(hosts[0])))
		return 2;
	for (i = 0; i < n; i++) {
		if (!cli_host(aliases[i], hosts[i + 1], sizeof(hosts[0])))
			return 2;
		aliases[i] = hosts[i + 1];
	}
	return cli_site_add(cli_arg(a, "data"), hosts[0], cli_arg(a, "title"),
	    cli_arg(a, "tagline"), cli_arg(a, "origin"), aliases, n);
}

static int
run_site_list(const struct cli_args *a)
{
	return cli_site_list(cli_arg(a, "data"));
}

static int
run_content_add(const struct cli_args *a, const char *kind)
{
	char host[LIMIT_HOST_BYTES + 8];

	if (!cli_host(cli_arg(a, "site"), host, sizeof(host)))
		return 2;
	return cli_post_add(cli_arg(a, "data"), kind, host, cli_arg(a, "title"),
	    cli_arg(a, "file"), cli_arg(a, "slug"), cli_flag(a, "draft"));
}

static int
run_content_list(const struct cli_args *a, const char *kind)
{
	char host[LIMIT_HOST_BYTES + 8];

	if (!cli_host(cli_arg(a, "site"), host, sizeof(host)))
		return 2;
	return cli_post_list(cli_arg(a, "data"), kind, host);
}

static int
run_post_add(const struct cli_args *a)
{
	return run_content_add(a, "post");
}

static int
run_page_add(const struct cli_args *a)
{
	return run_content_add(a, "page");
}

static int
run_post_list(const struct cli_args *a)
{
	return run_content_list(a, "post");
}

static int
run_page_list(const struct cli_args *a)
{
	return run_content_list(a, "page");
}

const struct cli_command cli_content_commands[] = {
	{"site add", "data! host! title! tagline origin alias*", run_site_add,
	    "usage: candor site add --data DIR --host HOST --title TITLE [--tagline TEXT]\n"
	    "                       [--origin URL] [--alias HOST]...\n"
	    "Adds a site served for requests whose Host is HOST or one of its aliases.\n"
	    "  --origin URL   base of absolute links in feeds and mail (default https://HOST)\n"},
	{"site list", "data!", run_site_list,
	    "usage: candor site list --data DIR\nLists the sites with their hosts.\n"},
	{"post add", "data! site! title! file! slug draft?", run_post_add,
	    "usage: candor post add --data DIR --site HOST --title TITLE --file FILE.md\n"
	    "                       [--slug SLUG] [--draft]\n"
	    "Publishes a post written in Markdown (CommonMark; raw HTML is dropped).\n"
	    "  --slug SLUG   address /posts/SLUG (default: made from the title)\n"
	    "  --draft       store without publishing; drafts are never served\n"},
	{"post list", "data! site!", run_post_list,
	    "usage: candor post list --data DIR --site HOST\nLists a site's posts, drafts first.\n"},
	{"page add", "data! site! title! file! slug draft?", run_page_add,
	    "usage: candor page add --data DIR --site HOST --title TITLE --file FILE.md\n"
	    "                       [--slug SLUG] [--draft]\n"
	    "Publishes a page at /pages/SLUG; published pages appear in the site menu.\n"},
	{"page list", "data! site!", run_page_list,
	    "usage: candor page list --data DIR --site HOST\nLists a site's pages.\n"},
	{NULL, NULL, NULL, NULL},
};
