/*
 * cli_privacy: the audit log and key commands (audit verify|show|checkpoint, keys
 * rotate). Each opens the data directory's configuration and database (cli_open) and
 * the privacy module's keys, does one thing and prints one clear sentence. Nothing here
 * touches a secret: privacy/ reads, rotates and wipes them.
 */
#include <stdlib.h>
#include <string.h>

#include "privacy/privacy.h"
#include "web/web_int.h"

static int
run_audit_verify(const struct cli_args *a)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	char msg[512];
	int64_t bad = 0;
	enum err e;

	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	e = audit_verify(p, s, &bad, msg, sizeof(msg));
	if (e == ERR_OK)
		printf("%s\n", msg);
	else if (e == ERR_CONFLICT)
		CLI_ERR("the audit log is not intact: %s\n", msg);
	else
		CLI_ERR("cannot verify the audit log: %s\n", msg[0] ? msg : err_str(e));
	privacy_free(p);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

/* s with control characters and non-ASCII escaped (audit fields are never trusted
 * to be terminal-safe), in b. */
static const char *
cli_cell(struct buf *b, const char *s)
{
	buf_reset(b);
	log_escape(b, s);
	return b->data ? b->data : "";
}

static int
run_audit_show(const struct cli_args *a)
{
	const char *subject = cli_arg(a, "subject");
	struct audit_entry *v = NULL;
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *ar = NULL;
	struct buf c[9];
	char when[21];
	size_t n = 0, i, k;
	enum err e = ERR_NOMEM;

	for (k = 0; k < COUNTOF(c); k++)
		buf_init(&c[k]);
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	if ((ar = arena_new()) == NULL || (e = audit_list(p, s, ar, subject, &v, &n)) != ERR_OK) {
		CLI_ERR("cannot read the audit log: %s (%s)\n", err_str(e), store_errmsg(s));
		goto out;
	}
	printf("%-6s %-20s %-12s %-8s %-16s %-3s %-12s %-8s %-12s %-8s %s\n", "SEQ", "TIME",
	    "ACTOR", "ROLE", "ORG", "CC", "SUBJECT", "CLASS", "PURPOSE", "DECISION", "DETAIL");
	for (i = 0; i < n; i++) {
		time_rfc3339(v[i].at, when);
		printf("%-6lld %-20s %-12s %-8s %-16s %-3s %-12s %-8s %-12s %-8s %s\n",
		    (long long)v[i].seq, when, cli_cell(&c[0], v[i].actor),
		    cli_cell(&c[1], v[i].actor_role), cli_cell(&c[2], v[i].actor_org),
		    cli_cell(&c[3], v[i].actor_country), cli_cell(&c[4], v[i].subject),
		    cli_cell(&c[5], v[i].field_class), cli_cell(&c[6], v[i].purpose),
		    cli_cell(&c[7], v[i].decision), cli_cell(&c[8], v[i].detail));
	}
	if (n == 0)
		printf("(no entries%s%s)\n", subject ? " about " : "",
		    subject ? cli_cell(&c[0], subject) : "");
out:
	for (k = 0; k < COUNTOF(c); k++)
		buf_free(&c[k]);
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

static int
run_audit_checkpoint(const struct cli_args *a)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	char msg[512];
	int64_t bad = 0;
	enum err e;

	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	e = audit_checkpoint(p, s);
	if (e == ERR_OK) {
		e = audit_verify(p, s, &bad, msg, sizeof(msg));
		printf("Checkpoint written; %s\n", e == ERR_OK ? msg : "but the log no longer verifies");
	} else if (e == ERR_CONFLICT) {
		CLI_ERR("the audit log is not intact, so no checkpoint was written (see: candor "
			"audit verify)\n");
	} else {
		CLI_ERR("cannot write the checkpoint: %s\n", err_str(e));
	}
	privacy_free(p);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

static int
run_keys_rotate(const struct cli_args *a)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	char msg[1024], kept[1200];
	enum err e;

	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	e = privacy_rotate_master(p, s, &cfg, kept, sizeof(kept), msg, sizeof(msg));
	if (e == ERR_OK)
		printf("Every data key is now wrapped by a new master key.\n"
		       "The previous key is kept as %s (mode 0600).\n"
		       "Database backups made before now still need it: keep it with them, and\n"
		       "destroy it only when they expire. Running servers pick up the new key\n"
		       "by themselves.\n",
		    kept);
	else
		CLI_ERR("%s\n", msg);
	privacy_free(p);
	store_close(s);
	return e == ERR_OK ? 0 : 1;
}

const struct cli_command cli_privacy_commands[] = {
	{"audit verify", "data!", run_audit_verify,
	    "usage: candor audit verify --data DIR\n"
	    "Recomputes the audit log's hash chain and checks every signed checkpoint in\n"
	    "DIR/audit.checkpoints. Exits 0 when intact; otherwise 1, naming the first entry\n"
	    "that was edited, deleted, reordered or cut off.\n"},
	{"audit show", "data! subject", run_audit_show,
	    "usage: candor audit show --data DIR [--subject SUBJECT]\n"
	    "Lists audit entries, oldest first: who asked for which class of whose data, for\n"
	    "which purpose, and the decision.\n"
	    "  --subject SUBJECT   only entries about SUBJECT (user:42)\n"},
	{"audit checkpoint", "data!", run_audit_checkpoint,
	    "usage: candor audit checkpoint --data DIR\n"
	    "Verifies the audit log, then appends a checkpoint (entry count and head hash,\n"
	    "signed with DIR/audit.key) to DIR/audit.checkpoints. Keep a copy of that file\n"
	    "with your backups: it proves the log was not truncated or rebuilt.\n"},
	{"keys rotate", "data!", run_keys_rotate,
	    "usage: candor keys rotate --data DIR\n"
	    "Makes a new random master key, re-wraps every person's data key under it in one\n"
	    "transaction, then replaces the key file (atomically, mode 0600). The old key is\n"
	    "kept as KEYFILE.old-TIME: database backups made before the rotation hold data\n"
	    "keys wrapped by it, so keep it with those backups and destroy it when they\n"
	    "expire (that also completes the erasure of people deleted before the rotation).\n"
	    "Running servers keep serving: they notice the new key file at their next read\n"
	    "that needs it, so no restart is needed.\n"},
	{NULL, NULL, NULL, NULL},
};
