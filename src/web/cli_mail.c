/*
 * cli_mail: `candor mail outbox`, the operator's view of mail not yet delivered: pending
 * messages (with their attempts, next try and last error) and failed ones. Recipients
 * are shown by person id, never by address: listing the outbox reads no personal data.
 */
#include <string.h>

#include "mail/mail.h"
#include "web/web_int.h"

static int
run_mail_outbox(const struct cli_args *a)
{
	struct mail_entry *v = NULL;
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	char next[21];
	size_t n = 0, i;
	enum err e;
	unsigned states = 1u << MAIL_PENDING | 1u << MAIL_SENDING | 1u << MAIL_FAILED;

	if (cli_flag(a, "all"))
		states |= 1u << MAIL_SENT;
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) == NULL) {
		store_close(s);
		CLI_ERR("out of memory\n");
		return 1;
	}
	if ((e = mail_list(s, ar, states, &v, &n)) != ERR_OK) {
		CLI_ERR("cannot read the outbox: %s\n", err_str(e));
		goto out;
	}
	printf("%-6s %-8s %-7s %-8s %-20s %s\n", "ID", "STATE", "PERSON", "ATTEMPTS",
	    "NEXT TRY (UTC)", "SUBJECT / LAST ERROR");
	for (i = 0; i < n; i++) {
		if (v[i].state == MAIL_PENDING || v[i].state == MAIL_SENDING)
			time_rfc3339(v[i].next_attempt_at, next);
		else
			str_copy(next, "-", sizeof(next));
		printf("%-6lld %-8s %-7lld %-8d %-20s %s\n", (long long)v[i].id,
		    mail_state_name(v[i].state), (long long)v[i].person, v[i].attempts, next,
		    v[i].subject);
		if (v[i].last_error[0])
			printf("%52s%s\n", "", v[i].last_error);
	}
	if (n == 0)
		printf("(no message waiting or failed)\n");
out:
	arena_free(ar);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

const struct cli_command cli_mail_commands[] = {
	{"mail outbox", "data! all?", run_mail_outbox,
	    "usage: candor mail outbox --data DIR [--all]\n"
	    "Lists mail that is waiting (pending, or being sent) or failed: person id,\n"
	    "attempts, the next try and the last error. --all lists sent mail too.\n"
	    "Recipients are shown by person id, never by address (candor user list maps\n"
	    "ids to usernames). candor serve delivers; see docs/mail.md.\n"},
	{NULL, NULL, NULL, NULL},
};
