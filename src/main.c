/*
 * main: candor's command line. Finds the subcommand in the modules' command tables,
 * parses its options against the command's own option list, and runs it. Usage errors
 * exit 2 with a one-line reason; other failures exit 1 (the command prints why);
 * success exits 0. Knows nothing about what the commands do.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "web/web.h"

static const struct cli_command *const tables[] = {
	cli_core_commands,
	cli_content_commands,
	cli_people_commands,
	cli_rights_commands,
	cli_privacy_commands,
	cli_legal_commands,
	cli_mail_commands,
	cli_analytics_commands,
	cli_policy_commands,
	cli_shop_commands,
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
    "  user add|list|role                  accounts and per-site roles\n"
    "  user export|erase                   a person's data as JSON; erase a person\n"
    "  retention run                       remove what is older than [retention] allows\n"
    "  staff add|agreement|grant|revoke    who may read personal data, and why\n"
    "  audit verify|show|checkpoint        the tamper-evident log of personal-data reads\n"
    "  keys rotate                         re-wrap every data key under a new master key\n"
    "  legal request add                   record a legal request for a person's data\n"
    "  legal approve|refuse|export|list    decide, answer and list legal requests\n"
    "  analytics classify                  browser family, version and bot from User-Agents\n"
    "  report --site HOST|all --from --to  visitor analytics as JSON or CSV (--public)\n"
    "  policy publish|list                 privacy-policy versions, alerts and acceptance\n"
    "  product add|list, shop vat          the shop: products and the site's tax rate\n"
    "\n"
    "Every command has --help. Also: candor --version.\n"
    "Quick start: candor init --data ./data --demo && candor serve --data ./data\n"
    "Documentation: README.md and docs/ in the source tree.\n";

static int usage_error(const struct cli_command *c, const char *fmt, ...) CORE_PRINTF(2, 3);

static int
usage_error(const struct cli_command *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "candor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see: candor %s --help)\n", c ? c->name : "");
	return 2;
}

/* Finds option name in the command's list; sets *kind to '!', '?', '*' or ' '. */
static bool
find_option(const struct cli_command *c, const char *name, char *kind)
{
	const char *p = c->options;
	size_t n = strlen(name), len;

	while (*p) {
		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len == 0)
			break;
		if (strchr("!?*", p[len - 1]) ? len - 1 == n : len == n) {
			if (strncmp(p, name, n) == 0) {
				*kind = strchr("!?*", p[len - 1]) ? p[len - 1] : ' ';
				return true;
			}
		}
		p += len;
	}
	return false;
}

/* Parses argv[first..] for c into a. Returns 0, 2 (usage error) or -1 for --help. */
static int
parse_args(const struct cli_command *c, int argc, char **argv, int first, struct cli_args *a)
{
	const char *p;
	char name[64], kind;
	size_t len, i;
	int k;

	for (k = first; k < argc; k++) {
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0)
			return -1;
		if (strncmp(argv[k], "--", 2) != 0 || strlen(argv[k] + 2) >= sizeof(name) ||
		    !find_option(c, argv[k] + 2, &kind))
			return usage_error(c, "unknown option '%s'", argv[k]);
		str_copy(name, argv[k] + 2, sizeof(name));
		if (kind != '*' && cli_arg(a, name))
			return usage_error(c, "option %s given twice", argv[k]);
		if (a->n == CLI_MAX_ARGS)
			return usage_error(c, "too many options");
		a->names[a->n] = argv[k] + 2;
		if (kind == '?') {
			a->values[a->n++] = "";
			continue;
		}
		if (k + 1 >= argc)
			return usage_error(c, "option %s needs a value", argv[k]);
		a->values[a->n++] = argv[++k];
	}
	/* required options */
	for (p = c->options; *p; p += len) {
		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len > 1 && p[len - 1] == '!') {
			for (i = 0; i < a->n; i++)
				if (strlen(a->names[i]) == len - 1 &&
				    strncmp(a->names[i], p, len - 1) == 0)
					break;
			if (i == a->n)
				return usage_error(c, "missing required option --%.*s", (int)(len - 1),
				    p);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct cli_command *c = NULL, *t;
	struct cli_args a;
	char two[64], three[96];
	int first = 2, rc;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("candor %s\n", CANDOR_VERSION);
		return 0;
	}
	snprintf(two, sizeof(two), "%s %s", argv[1], argc > 2 ? argv[2] : "");
	snprintf(three, sizeof(three), "%s %s", two, argc > 3 ? argv[3] : "");
	for (i = 0; i < COUNTOF(tables) && c == NULL; i++) {
		for (t = tables[i]; t->name && c == NULL; t++) {
			if (strcmp(t->name, argv[1]) == 0)
				c = t;
			else if (argc > 2 && strcmp(t->name, two) == 0) {
				c = t;
				first = 3;
			}
			else if (argc > 3 && strcmp(t->name, three) == 0) {
				c = t; /* "legal request add" */
				first = 4;
			}
		}
	}
	if (c == NULL) {
		fprintf(stderr, "candor: unknown command '%s' (see: candor --help)\n",
		    argc > 2 && argv[2][0] != '-' ? two : argv[1]);
		return 2;
	}
	rc = parse_args(c, argc, argv, first, &a);
	if (rc == -1) {
		fputs(c->usage, stdout);
		return 0;
	}
	if (rc != 0)
		return rc;
	return c->run(&a);
}
