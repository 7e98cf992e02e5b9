/*
 * cli_rights: a person's rights from the command line (user export|erase) and retention
 * (retention run). The operator runs these to fulfil a person's own request, so the
 * export opens the email as the person (purpose self) and both are audited as done by
 * the person; retention is audited as done by the system. The export holds the person's
 * email in plaintext: it goes to stdout or to a new file of mode 0600, nowhere else, and
 * the buffer is wiped.
 */
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "web/web_int.h"

/* Finds --username; prints why not. */
static bool
cli_rights_person(struct store *s, struct arena *ar, const char *username, struct person *out)
{
	enum err e = people_find(s, ar, username, out);

	if (e == ERR_NOTFOUND)
		CLI_ERR("no account is called %s (see: candor user list)\n", username);
	else if (e != ERR_OK)
		CLI_ERR("cannot look up %s: %s\n", username, err_str(e));
	return e == ERR_OK;
}

static int
run_user_export(const struct cli_args *a)
{
	const char *path = cli_arg(a, "out");
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *ar = NULL;
	struct person person;
	struct buf json;
	enum err e;
	int rc = 1;

	buf_init(&json);
	if (path && access(path, F_OK) == 0) {
		CLI_ERR("%s exists; the export is only written to a new file\n", path);
		return 1;
	}
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	if ((ar = arena_new()) == NULL ||
	    !cli_rights_person(s, ar, cli_arg(a, "username"), &person))
		goto out;
	if ((e = rights_export(p, s, person.id, web_export_sections, web_export_sections_count, &json)) != ERR_OK) {
		CLI_ERR("cannot export %s: %s\n", person.username, err_str(e));
		goto out;
	}
	if (path) {
		if (cli_write_file(path, json.data, json.len, 0600) != ERR_OK) {
			CLI_ERR("cannot write %s\n", path);
			goto out;
		}
		fprintf(stderr, "Wrote everything held about %s to %s (mode 0600)\n",
		    person.username, path);
	} else if (fwrite(json.data, 1, json.len, stdout) != json.len || fflush(stdout) != 0) {
		CLI_ERR("cannot write the export to standard output\n");
		goto out;
	}
	rc = 0;
out:
	if (json.data)
		sodium_memzero(json.data, json.len);
	buf_free(&json);
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	return rc;
}

static int
run_user_erase(const struct cli_args *a)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *ar = NULL;
	struct person person;
	enum err e;
	int rc = 1;

	if (!cli_flag(a, "yes")) {
		CLI_ERR("erasing %s destroys their data key and removes their account for good;"
			" add --yes to do it\n",
		    cli_arg(a, "username"));
		return 2;
	}
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	if ((ar = arena_new()) == NULL ||
	    !cli_rights_person(s, ar, cli_arg(a, "username"), &person))
		goto out;
	if ((e = rights_erase(p, s, person.id)) != ERR_OK) {
		CLI_ERR("cannot erase %s: %s; nothing was changed\n", person.username, err_str(e));
		goto out;
	}
	printf("Erased %s (user:%lld): data key destroyed, account removed. The audit entries\n"
	       "about user:%lld are kept; they hold no personal data.\n",
	    person.username, (long long)person.id, (long long)person.id);
	rc = 0;
out:
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	return rc;
}

static int
run_retention_run(const struct cli_args *a)
{
	struct retention_report rep;
	struct config cfg;
	struct store *s;
	struct privacy *p;
	char limit[24];
	enum err e;
	size_t i;

	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	e = retention_run(p, s, &cfg, &rep);
	printf("%-24s %-8s %s\n", "CLASS", "LIMIT", "REMOVED");
	for (i = 0; i < rep.n; i++) {
		snprintf(limit, sizeof(limit), "%d days", rep.rules[i].days);
		if (rep.rules[i].error != ERR_OK)
			printf("%-24s %-8s %lld, then failed: %s\n", rep.rules[i].what, limit,
			    (long long)rep.rules[i].removed, err_str(rep.rules[i].error));
		else
			printf("%-24s %-8s %lld\n", rep.rules[i].what, limit,
			    (long long)rep.rules[i].removed);
	}
	if (e != ERR_OK)
		CLI_ERR("retention did not complete: %s\n", err_str(e));
	privacy_free(p);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

const struct cli_command cli_rights_commands[] = {
	{"user export", "data! username! out", run_user_export,
	    "usage: candor user export --data DIR --username USER [--out FILE]\n"
	    "Writes everything candor holds about USER as JSON: account, email, site roles,\n"
	    "staff record, and every audit entry about them (who read their data, when, why,\n"
	    "from which organisation and country). For answering the person's own request:\n"
	    "the email is read as the person and the export is audited. FILE is created\n"
	    "with mode 0600 and must not exist; without --out the JSON goes to stdout.\n"},
	{"user erase", "data! username! yes?", run_user_erase,
	    "usage: candor user erase --data DIR --username USER --yes\n"
	    "Erases USER at their request: their data key is destroyed (sealed copies in\n"
	    "backups no longer open) and their account, roles and staff records removed, in\n"
	    "one transaction. Audit entries about them are kept. Cannot be undone.\n"},
	{"retention run", "data!", run_retention_run,
	    "usage: candor retention run --data DIR\n"
	    "Removes now what is older than the limits in [retention] of candor.conf and\n"
	    "prints how much of each class went. candor serve does this every hour.\n"},
	{NULL, NULL, NULL, NULL},
};
