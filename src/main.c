/*
 * main: candor's command line. Parses arguments against a table per subcommand and
 * dispatches to web/cli.c. Usage errors exit 2 with a one-line reason; other failures
 * exit 1 (the command prints why); success exits 0.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"
#include "web/web.h"

#define MAX_ALIASES LIMIT_HOSTS_PER_SITE

struct opts {
	const char *data, *listen, *database, *host, *title, *tagline, *origin, *site, *file,
	    *slug, *to;
	const char *aliases[MAX_ALIASES];
	size_t naliases;
	bool demo, draft, help;
};

enum opt_id {
	O_DATA, O_LISTEN, O_DATABASE, O_HOST, O_TITLE, O_TAGLINE, O_ORIGIN, O_ALIAS, O_SITE,
	O_FILE, O_SLUG, O_TO, O_DEMO, O_DRAFT, O_HELP, O__MAX
};

static const struct {
	const char *name;
	bool has_arg;
} opt_names[O__MAX] = {
	[O_DATA] = {"--data", true}, [O_LISTEN] = {"--listen", true},
	[O_DATABASE] = {"--database", true}, [O_HOST] = {"--host", true},
	[O_TITLE] = {"--title", true}, [O_TAGLINE] = {"--tagline", true},
	[O_ORIGIN] = {"--origin", true}, [O_ALIAS] = {"--alias", true},
	[O_SITE] = {"--site", true}, [O_FILE] = {"--file", true}, [O_SLUG] = {"--slug", true},
	[O_TO] = {"--to", true},
	[O_DEMO] = {"--demo", false}, [O_DRAFT] = {"--draft", false}, [O_HELP] = {"--help", false},
};

#define BIT(o) (1u << (o))

struct command {
	const char *name; /* "init", "site add" */
	unsigned allowed; /* BIT(O_x) | ... */
	unsigned required;
	const char *usage;
};

static const struct command commands[] = {
	{"init", BIT(O_DATA) | BIT(O_DEMO) | BIT(O_DATABASE), BIT(O_DATA),
	    "usage: candor init --data DIR [--demo] [--database URL]\n"
	    "Creates a new data directory: candor.conf, the database and master.key (mode 0600).\n"
	    "  --data DIR       directory to create (must not exist or be empty)\n"
	    "  --demo           add the Perfect Image Video demo sites, posts and privacy policy\n"
	    "  --database URL   postgresql://USER@HOST:PORT/DB instead of the SQLite file\n"},
	{"serve", BIT(O_DATA) | BIT(O_LISTEN), BIT(O_DATA),
	    "usage: candor serve --data DIR [--listen ADDR:PORT]\n"
	    "Serves every site of the data directory over HTTP until SIGTERM or SIGINT.\n"
	    "  --data DIR          the data directory made by candor init\n"
	    "  --listen ADDR:PORT  overrides [server] listen (default 127.0.0.1:8080; port 0\n"
	    "                      picks a free port, printed in the log)\n"},
	{"site add", BIT(O_DATA) | BIT(O_HOST) | BIT(O_TITLE) | BIT(O_TAGLINE) | BIT(O_ORIGIN) |
			 BIT(O_ALIAS),
	    BIT(O_DATA) | BIT(O_HOST) | BIT(O_TITLE),
	    "usage: candor site add --data DIR --host HOST --title TITLE [--tagline TEXT]\n"
	    "                       [--origin URL] [--alias HOST]...\n"
	    "Adds a site served for requests whose Host is HOST or one of its aliases.\n"
	    "  --origin URL   base of absolute links in feeds and mail (default https://HOST)\n"},
	{"site list", BIT(O_DATA), BIT(O_DATA),
	    "usage: candor site list --data DIR\nLists the sites with their hosts.\n"},
	{"post add", BIT(O_DATA) | BIT(O_SITE) | BIT(O_TITLE) | BIT(O_FILE) | BIT(O_SLUG) |
			 BIT(O_DRAFT),
	    BIT(O_DATA) | BIT(O_SITE) | BIT(O_TITLE) | BIT(O_FILE),
	    "usage: candor post add --data DIR --site HOST --title TITLE --file FILE.md\n"
	    "                       [--slug SLUG] [--draft]\n"
	    "Publishes a post written in Markdown (CommonMark; raw HTML is dropped).\n"
	    "  --slug SLUG   address /posts/SLUG (default: made from the title)\n"
	    "  --draft       store without publishing; drafts are never served\n"},
	{"post list", BIT(O_DATA) | BIT(O_SITE), BIT(O_DATA) | BIT(O_SITE),
	    "usage: candor post list --data DIR --site HOST\nLists a site's posts, drafts first.\n"},
	{"page add", BIT(O_DATA) | BIT(O_SITE) | BIT(O_TITLE) | BIT(O_FILE) | BIT(O_SLUG) |
			 BIT(O_DRAFT),
	    BIT(O_DATA) | BIT(O_SITE) | BIT(O_TITLE) | BIT(O_FILE),
	    "usage: candor page add --data DIR --site HOST --title TITLE --file FILE.md\n"
	    "                       [--slug SLUG] [--draft]\n"
	    "Publishes a page at /pages/SLUG; published pages appear in the site menu.\n"},
	{"page list", BIT(O_DATA) | BIT(O_SITE), BIT(O_DATA) | BIT(O_SITE),
	    "usage: candor page list --data DIR --site HOST\nLists a site's pages.\n"},
	{"db copy", BIT(O_DATA) | BIT(O_TO), BIT(O_DATA) | BIT(O_TO),
	    "usage: candor db copy --data DIR --to URL\n"
	    "Copies every row of DIR's database into an empty database (one transaction: all\n"
	    "or nothing), then points DIR's candor.conf at it. The old database is untouched.\n"
	    "Stop `candor serve` first and restart it afterwards.\n"
	    "  --to URL   postgresql://USER@HOST:PORT/DB (password from PGPASSWORD, ~/.pgpass or\n"
	    "             [store] password_file) or sqlite:/absolute/path/file.db\n"},
};

static const char usage_main[] =
    "usage: candor COMMAND [OPTIONS]\n"
    "candor serves several websites from one binary and keeps its privacy policy in code.\n"
    "\n"
    "Commands:\n"
    "  init --data DIR [--demo]            create a data directory\n"
    "  serve --data DIR [--listen A:P]     serve the sites over HTTP\n"
    "  site add|list                       manage sites (one per host name)\n"
    "  post add|list                       publish and list posts\n"
    "  page add|list                       publish and list pages\n"
    "  db copy --data DIR --to URL         move an install to PostgreSQL\n"
    "\n"
    "Options for every command: --help. Also: candor --version.\n"
    "Quick start: candor init --data ./data --demo && candor serve --data ./data\n"
    "Documentation: README.md and docs/ in the source tree.\n";

static int usage_error(const struct command *c, const char *fmt, ...) CORE_PRINTF(2, 3);

static int
usage_error(const struct command *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "candor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see: candor %s --help)\n", c ? c->name : "");
	return 2;
}

/* Parses argv[first..] against command c into o. Returns 0 or the exit status 2. */
static int
parse_opts(const struct command *c, int argc, char **argv, int first, struct opts *o)
{
	const char **slot[O__MAX] = {
		[O_DATA] = &o->data, [O_LISTEN] = &o->listen, [O_DATABASE] = &o->database,
		[O_HOST] = &o->host, [O_TITLE] = &o->title, [O_TAGLINE] = &o->tagline,
		[O_ORIGIN] = &o->origin, [O_SITE] = &o->site, [O_FILE] = &o->file,
		[O_SLUG] = &o->slug, [O_TO] = &o->to,
	};
	unsigned seen = 0;
	int i, k;

	for (i = first; i < argc; i++) {
		for (k = 0; k < O__MAX; k++)
			if (strcmp(argv[i], opt_names[k].name) == 0)
				break;
		if (k == O__MAX || !(c->allowed & BIT(k) || k == O_HELP))
			return usage_error(c, "unknown option '%s'", argv[i]);
		if (k == O_HELP) {
			o->help = true;
			return 0;
		}
		if (opt_names[k].has_arg && i + 1 >= argc)
			return usage_error(c, "option %s needs a value", argv[i]);
		if (k != O_ALIAS && (seen & BIT(k)))
			return usage_error(c, "option %s given twice", argv[i]);
		seen |= BIT(k);
		if (k == O_DEMO)
			o->demo = true;
		else if (k == O_DRAFT)
			o->draft = true;
		else if (k == O_ALIAS) {
			if (o->naliases == MAX_ALIASES - 1)
				return usage_error(c, "too many aliases (at most %d)", MAX_ALIASES - 1);
			o->aliases[o->naliases++] = argv[++i];
		} else
			*slot[k] = argv[++i];
	}
	for (k = 0; k < O__MAX; k++)
		if ((c->required & BIT(k)) && !(seen & BIT(k)))
			return usage_error(c, "missing required option %s", opt_names[k].name);
	return 0;
}

/* Normalises a host given on the command line (lowercase, no port). */
static int
normalise_host(const struct command *c, const char *in, char *out, size_t outsize)
{
	if (http_host_parse(in, out, outsize) != ERR_OK || strchr(in, ':'))
		return usage_error(c, "'%s' is not a host name (no scheme, no port)", in);
	return 0;
}

int
main(int argc, char **argv)
{
	static char hosts[MAX_ALIASES + 1][LIMIT_HOST_BYTES + 8];
	const struct command *c = NULL;
	struct opts o;
	char name[32];
	int first = 2, rc;
	size_t i;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("candor %s\n", CANDOR_VERSION);
		return 0;
	}
	for (i = 0; i < COUNTOF(commands); i++) {
		if (strcmp(commands[i].name, argv[1]) == 0) {
			c = &commands[i];
			break;
		}
		if (argc > 2) {
			snprintf(name, sizeof(name), "%s %s", argv[1], argv[2]);
			if (strcmp(commands[i].name, name) == 0) {
				c = &commands[i];
				first = 3;
				break;
			}
		}
	}
	if (c == NULL) {
		fprintf(stderr, "candor: unknown command '%s%s%s' (see: candor --help)\n", argv[1],
		    argc > 2 && argv[2][0] != '-' ? " " : "",
		    argc > 2 && argv[2][0] != '-' ? argv[2] : "");
		return 2;
	}
	if ((rc = parse_opts(c, argc, argv, first, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(c->usage, stdout);
		return 0;
	}
	if (strcmp(c->name, "init") == 0)
		return cli_init(o.data, o.demo, o.database);
	if (strcmp(c->name, "serve") == 0)
		return cli_serve(o.data, o.listen);
	if (strcmp(c->name, "site add") == 0) {
		if ((rc = normalise_host(c, o.host, hosts[0], sizeof(hosts[0]))) != 0)
			return rc;
		for (i = 0; i < o.naliases; i++) {
			if ((rc = normalise_host(c, o.aliases[i], hosts[i + 1], sizeof(hosts[0]))))
				return rc;
			o.aliases[i] = hosts[i + 1];
		}
		return cli_site_add(o.data, hosts[0], o.title, o.tagline, o.origin, o.aliases,
		    o.naliases);
	}
	if (strcmp(c->name, "site list") == 0)
		return cli_site_list(o.data);
	if (strcmp(c->name, "db copy") == 0)
		return cli_db_copy(o.data, o.to);
	if ((rc = normalise_host(c, o.site, hosts[0], sizeof(hosts[0]))) != 0)
		return rc;
	if (strcmp(c->name, "post add") == 0 || strcmp(c->name, "page add") == 0)
		return cli_post_add(o.data, c->name[1] == 'a' ? "page" : "post", hosts[0], o.title,
		    o.file, o.slug, o.draft);
	return cli_post_list(o.data, c->name[1] == 'a' ? "page" : "post", hosts[0]);
}
