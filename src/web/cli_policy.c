/*
 * cli_policy: `candor policy publish` and `candor policy list` (P20). Publishing goes
 * through web_policy_publish, as /admin/policy does: the version and its alert campaign
 * in one transaction (the running server's mail worker sends the alerts). The alert's
 * links use the site named by --site, or [server] default_site, or the first site.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "policy/policy.h"
#include "web/web_int.h"

/* The site whose origin the alert links use; prints why not. */
static bool
cli_policy_site(struct store *s, struct arena *a, const struct config *cfg, const char *host,
    struct site *out)
{
	struct site *all;
	size_t n = 0;
	enum err e;

	if (host == NULL && cfg->default_site[0])
		host = cfg->default_site;
	if (host) {
		if ((e = sites_find(s, a, host, out)) == ERR_OK)
			return true;
		CLI_ERR("no site is served at %s (see: candor site list)\n", host);
		return false;
	}
	if ((e = sites_list(s, a, &all, &n)) != ERR_OK || n == 0) {
		CLI_ERR("no site to link the alerts to: add one first (candor site add)\n");
		return false;
	}
	*out = all[0];
	return true;
}

static int
run_policy_publish(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar = NULL;
	struct site site;
	const char *title = cli_arg(a, "title") ? cli_arg(a, "title") : "Privacy Policy";
	char *md = NULL, msg[256];
	int64_t effective = 0, v = 0;
	enum err e;
	int rc = 1;

	if (!web_policy_effective(cli_arg(a, "effective"), time_now(), &effective, msg,
		sizeof(msg))) {
		CLI_ERR("--effective: %s\n", msg);
		return 2;
	}
	if ((md = cli_read_markdown(cli_arg(a, "file"))) == NULL)
		return 1;
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		goto out;
	if ((ar = arena_new()) == NULL ||
	    !cli_policy_site(s, ar, &cfg, cli_arg(a, "site"), &site))
		goto close;
	e = web_policy_publish(s, ar, &site, title, md, cli_arg(a, "summary"), effective, 0, &v);
	if (e == ERR_INVAL) {
		CLI_ERR("not published: the text must be UTF-8 markdown of at most 512 KiB, the title "
			"one line, the summary one line of at most %d characters\n",
		    LIMIT_POLICY_SUMMARY);
		rc = 2;
		goto close;
	}
	if (e != ERR_OK) {
		CLI_ERR("not published: %s\n", err_str(e));
		goto close;
	}
	printf("Published version %lld. Alerts to every account holder with a verified email\n"
	       "are queued by the running server (candor serve), at most [mail]\n"
	       "announce_per_minute a minute; the links point at %s.\n",
	    (long long)v, site.origin);
	rc = 0;
close:
	arena_free(ar);
	store_close(s);
out:
	free(md);
	return rc;
}

static int
run_policy_list(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	struct policy_version *v = NULL;
	struct policy_count *c = NULL;
	char when[21];
	size_t n = 0, nc = 0, i, k;
	int64_t ex, cu, ack;
	int rc = 1;

	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) != NULL && policy_list(s, ar, &v, &n) == ERR_OK &&
	    policy_counts(s, ar, &c, &nc) == ERR_OK) {
		printf("%-8s %-10s %-9s %-14s %-13s %s\n", "VERSION", "EFFECTIVE", "EXPLICIT",
		    "CONTINUED-USE", "ACKNOWLEDGED", "SUMMARY");
		for (i = 0; i < n; i++) {
			ex = cu = ack = 0;
			for (k = 0; k < nc; k++)
				if (c[k].version == v[i].version) {
					ex = c[k].explicit_n;
					cu = c[k].continued_n;
					ack = c[k].acknowledged_n;
				}
			time_rfc3339(v[i].effective_at, when);
			printf("%-8lld %.10s %-9lld %-14lld %-13lld %s\n", (long long)v[i].version,
			    when, (long long)ex, (long long)cu, (long long)ack, v[i].summary);
		}
		if (n == 0)
			printf("(no version published)\n");
		rc = 0;
	} else
		CLI_ERR("cannot list the versions: %s\n", store_errmsg(s));
	arena_free(ar);
	store_close(s);
	return rc;
}

const struct cli_command cli_policy_commands[] = {
	{"policy publish", "data! file! effective! summary! title site", run_policy_publish,
	    "usage: candor policy publish --data DIR --file FILE.md --effective YYYY-MM-DD\n"
	    "           --summary TEXT [--title TEXT] [--site HOST]\n"
	    "Publishes FILE.md as the next version of the privacy policy, in effect from the\n"
	    "given day (UTC; today or later). A published version is never edited: publish a\n"
	    "correction as a new version. Every account holder with a verified email gets one\n"
	    "alert with the summary and a link to the changes, sent by the running server;\n"
	    "links use --site, or [server] default_site, or the first site.\n"},
	{"policy list", "data!", run_policy_list,
	    "usage: candor policy list --data DIR\n"
	    "Lists the versions with how many people accepted each: explicitly, by continued\n"
	    "use, and how many acknowledged its notice.\n"},
	{NULL, NULL, NULL, NULL},
};
