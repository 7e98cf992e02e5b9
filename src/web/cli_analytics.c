/*
 * cli_analytics: `candor analytics classify`, the User-Agent classifier of visitor
 * analytics on standard input, for operators and tests: one User-Agent a line in,
 * "family<TAB>major<TAB>bot|human" a line out. Reads no data directory and stores
 * nothing. A line longer than LIMIT_UA_BYTES is classified from its first
 * LIMIT_UA_BYTES bytes, as the server does.
 *
 * And `candor report`: the report of the dashboards (analytics/report.h) for one site or
 * all sites and a period, as JSON or CSV on standard output; with --public the figures
 * are suppressed exactly as on the public page (report_build with k), so an operator
 * can see what /stats would publish.
 */
#include <stdio.h>
#include <string.h>

#include "analytics/analytics.h"
#include "analytics/report.h"
#include "web/web_int.h"

static const char usage_analytics[] =
    "usage: candor analytics COMMAND\n"
    "Visitor analytics (docs/analytics.md).\n"
    "\n"
    "Commands:\n"
    "  classify    read User-Agent strings on standard input, one a line, and print\n"
    "              family<TAB>major<TAB>bot|human for each\n"
    "\n"
    "Every command has --help.\n";

static const char usage_classify[] =
    "usage: candor analytics classify < FILE\n"
    "Reads User-Agent strings on standard input, one a line, and prints for each\n"
    "  family<TAB>major<TAB>bot|human\n"
    "family is one of Chrome, Chrome Mobile, Firefox, Firefox Mobile, Safari,\n"
    "Mobile Safari, Edge, Opera, Samsung Internet, Yandex, UC Browser, Other; major is\n"
    "the major version (0 when unknown); bot marks known bots, crawlers, HTTP libraries,\n"
    "headless browsers and an empty line. Only the first 1024 bytes of a line are read.\n";

static int
run_analytics(const struct cli_args *a)
{
	fputs(usage_analytics, stderr);
	return 2;
}

static int
run_analytics_classify(const struct cli_args *a)
{
	char line[LIMIT_UA_BYTES + 2];
	struct analytics_ua ua;
	size_t n;
	bool cut = false;
	int c;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strlen(line); /* a NUL byte in the line ends it here */
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(stdin))
			cut = true; /* longer than the buffer: the rest is skipped below */
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		analytics_classify_ua(line, n, &ua);
		printf("%s\t%d\t%s\n", analytics_family_name(ua.family), ua.major,
		    ua.bot ? "bot" : "human");
		if (cut) {
			while ((c = getchar()) != EOF && c != '\n')
				;
			cut = false;
		}
	}
	if (ferror(stdin)) {
		CLI_ERR("cannot read standard input\n");
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static const char usage_report[] =
    "usage: candor report --data DIR --site HOST|all --from YYYY-MM-DD --to YYYY-MM-DD\n"
    "                     --format json|csv [--public [--k K]]\n"
    "Prints the visitor analytics of a site (or of every site with --site all) for the\n"
    "days from --from to --to (UTC, both included, at most 366 days): page views and\n"
    "visitors in all and per day, and the top 10 pages, referring sites, browsers and\n"
    "languages with the rest as (other). The same figures as /admin/stats.\n"
    "  --public   suppress as the public page does: a figure below k is printed as\n"
    "             \"fewer than k\" and values resting on fewer than k visitors a day go\n"
    "             to (other) (docs/analytics.md)\n"
    "  --k K      the k of --public (2 to 1000); default: the k the site's /stats (or\n"
    "             /stats/all) is published with, else 5\n";

static int
cli_report(const char *dir, const char *host, const char *from, const char *to,
    const char *format, bool public, const char *ktext)
{
	struct report_period per;
	struct report r;
	struct config cfg;
	struct cli_db db;
	struct store *s = NULL;
	struct arena *a = NULL;
	struct site site;
	struct buf out;
	char name[LIMIT_HOST_BYTES + 8], msg[256];
	long long kk = 0;
	int64_t site_id = REPORT_ALL_SITES;
	int k = 0, rc = 1;
	enum err e;

	buf_init(&out);
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
		CLI_ERR("--format is json or csv, not '%s'\n", format);
		return 2;
	}
	if (ktext && !public) {
		CLI_ERR("--k goes with --public (see: candor report --help)\n");
		return 2;
	}
	if (ktext && strnum(ktext, REPORT_K_MIN, LIMIT_REPORT_K_MAX, &kk) != ERR_OK) {
		CLI_ERR("--k is a whole number from %d to %d (below %d a figure could single "
			"out one person)\n", REPORT_K_MIN, LIMIT_REPORT_K_MAX, REPORT_K_MIN);
		return 2;
	}
	if (report_period_parse("custom", from, to, 0, &per, msg, sizeof(msg)) != ERR_OK) {
		CLI_ERR("%s\n", msg);
		return 2;
	}
	if (strcmp(host, "all") == 0)
		str_copy(name, "all sites", sizeof(name));
	else if (!cli_host(host, name, sizeof(name)))
		return 2;
	if ((s = cli_open(dir, &cfg, &db)) == NULL || (a = arena_new()) == NULL)
		goto out;
	if (strcmp(host, "all") != 0) {
		if ((e = sites_find(s, a, name, &site)) == ERR_NOTFOUND) {
			CLI_ERR("no site is served at %s (see: candor site list)\n", name);
			goto out;
		} else if (e != ERR_OK) {
			CLI_ERR("cannot look up the site: %s\n", err_str(e));
			goto out;
		}
		site_id = site.id;
		str_copy(name, site.host, sizeof(name));
	}
	if (public) {
		k = (int)kk;
		if (k == 0 && (e = report_published(s, site_id, &k)) != ERR_OK) {
			if (e != ERR_NOTFOUND) {
				CLI_ERR("cannot read the publication settings: %s\n", err_str(e));
				goto out;
			}
			k = REPORT_K_DEFAULT;
		}
	}
	if ((e = report_build(s, a, site_id, per.from, per.to, LIMIT_REPORT_TOP, k, &r)) !=
	    ERR_OK) {
		CLI_ERR("cannot build the report: %s (%s)\n", err_str(e), store_errmsg(s));
		goto out;
	}
	if (strcmp(format, "csv") == 0)
		report_csv(&r, &out);
	else if ((e = report_json(&r, name, &out)) != ERR_OK) {
		CLI_ERR("cannot write the report: %s\n", err_str(e));
		goto out;
	}
	if (out.failed) {
		CLI_ERR("cannot write the report: %s\n", err_str(ERR_NOMEM));
		goto out;
	}
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
		CLI_ERR("cannot write to standard output\n");
		goto out;
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	buf_free(&out);
	arena_free(a);
	store_close(s);
	return rc;
}

static int
run_report(const struct cli_args *a)
{
	return cli_report(cli_arg(a, "data"), cli_arg(a, "site"), cli_arg(a, "from"),
	    cli_arg(a, "to"), cli_arg(a, "format"), cli_flag(a, "public"), cli_arg(a, "k"));
}

/* "analytics classify" before "analytics": main.c takes the first name that matches. */
const struct cli_command cli_analytics_commands[] = {
    {"report", "data! site! from! to! format! public? k", run_report, usage_report},
    {"analytics classify", "", run_analytics_classify, usage_classify},
    {"analytics", "", run_analytics, usage_analytics},
    {NULL, NULL, NULL, NULL},
};
