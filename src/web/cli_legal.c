/*
 * cli_legal: the disclosure register from the command line (legal request add, approve,
 * refuse, export, list; P14). The privacy module decides and records everything: only
 * an owner approves or refuses, only an approved request is exported, every disclosed
 * field is audited. This file resolves usernames, parses numbers and writes the export
 * file: created exclusively with mode 0600 before anything is disclosed, so a bundle is
 * never produced that cannot be written, and wiped from memory once written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "web/web_int.h"

/* Parses --id; prints why not. */
static bool
cli_legal_id(const struct cli_args *a, int64_t *id)
{
	long long v;

	if (strnum(cli_arg(a, "id"), 1, LLONG_MAX, &v) != ERR_OK) {
		CLI_ERR("--id must be a request number (see: candor legal list)\n");
		return false;
	}
	*id = v;
	return true;
}

/* Finds a person by username; prints why not. */
static bool
cli_legal_person(struct store *s, struct arena *ar, const char *username, struct person *out)
{
	enum err e = people_find(s, ar, username, out);

	if (e == ERR_NOTFOUND)
		CLI_ERR("no account is called %s (see: candor user list)\n", username);
	else if (e != ERR_OK)
		CLI_ERR("cannot look up %s: %s\n", username, err_str(e));
	return e == ERR_OK;
}

static int
run_legal_add(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar = NULL;
	struct person subject;
	enum disclosure_basis basis;
	char msg[256] = "";
	int64_t id = 0;
	enum err e;
	int rc = 1;

	if (!disclosure_basis_parse(cli_arg(a, "basis"), &basis)) {
		CLI_ERR("--basis must be subpoena, court-order, government or protect-rights\n");
		return 2;
	}
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) == NULL || !cli_legal_person(s, ar, cli_arg(a, "subject"), &subject))
		goto out;
	e = disclosure_add(s, basis, cli_arg(a, "requester"), subject.id, cli_arg(a, "scope"), &id,
	    msg, sizeof(msg));
	if (e == ERR_INVAL) {
		CLI_ERR("%s\n", msg);
		rc = 2;
		goto out;
	}
	if (e != ERR_OK) {
		CLI_ERR("cannot record the request: %s\n", msg[0] ? msg : err_str(e));
		goto out;
	}
	printf("Recorded request %lld (%s) about %s. An owner approves it with:\n"
	       "  candor legal approve --data DIR --id %lld --by OWNER\n",
	    (long long)id, disclosure_basis_name(basis), subject.username, (long long)id);
	rc = 0;
out:
	arena_free(ar);
	store_close(s);
	return rc;
}

static int
run_legal_decide(const struct cli_args *a, bool approve)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *ar = NULL;
	struct person by;
	int64_t id;
	enum err e;
	int rc = 1;

	if (!cli_legal_id(a, &id))
		return 2;
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	if ((ar = arena_new()) == NULL || !cli_legal_person(s, ar, cli_arg(a, "by"), &by))
		goto out;
	e = approve ? disclosure_approve(p, s, id, by.id) : disclosure_refuse(p, s, id, by.id);
	switch (e) {
	case ERR_OK:
		printf("Request %lld %s by %s\n", (long long)id, approve ? "approved" : "refused",
		    by.username);
		if (approve)
			printf("Export it with: candor legal export --data DIR --id %lld --out FILE\n",
			    (long long)id);
		rc = 0;
		break;
	case ERR_DENIED:
		CLI_ERR("only an owner may %s a legal request; %s is %s (the attempt is in the "
			"audit log)\n",
		    approve ? "approve" : "refuse", by.username, person_role_name(by.role));
		break;
	case ERR_NOTFOUND:
		CLI_ERR("there is no request %lld (see: candor legal list)\n", (long long)id);
		break;
	case ERR_CONFLICT:
		CLI_ERR("request %lld is already %s\n", (long long)id,
		    approve ? "decided" : "refused or answered");
		break;
	default:
		CLI_ERR("cannot record the decision: %s\n", err_str(e));
		break;
	}
out:
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	return rc;
}

static int
run_legal_approve(const struct cli_args *a)
{
	return run_legal_decide(a, true);
}

static int
run_legal_refuse(const struct cli_args *a)
{
	return run_legal_decide(a, false);
}

static int
run_legal_export(const struct cli_args *a)
{
	const char *path = cli_arg(a, "out");
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct buf json;
	size_t off = 0;
	ssize_t w;
	int64_t id;
	enum err e;
	int fd = -1, rc = 1;
	bool created = false, written = false;

	buf_init(&json);
	if (!cli_legal_id(a, &id))
		return 2;
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		return 1;
	/* the file first: nothing is disclosed into a file that already exists or that
	 * others could read */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		CLI_ERR("cannot create %s: %s (it must not exist yet)\n", path, strerror(errno));
		goto out;
	}
	created = true;
	e = disclosure_export(p, s, id, &json);
	if (e == ERR_DENIED) {
		CLI_ERR("request %lld is not approved (or was refused); nothing was disclosed\n",
		    (long long)id);
		goto out;
	}
	if (e == ERR_NOTFOUND) {
		CLI_ERR("there is no request %lld (see: candor legal list)\n", (long long)id);
		goto out;
	}
	if (e != ERR_OK) {
		CLI_ERR("cannot export request %lld: %s; nothing was disclosed\n", (long long)id,
		    err_str(e));
		goto out;
	}
	while (off < json.len) {
		if ((w = write(fd, json.data + off, json.len - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	if (off != json.len || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		CLI_ERR("cannot write %s: %s. The request is recorded as answered and the "
			"disclosure is in the audit log; export it again\n",
		    path, strerror(errno));
		goto out;
	}
	fd = -1;
	written = true;
	printf("Wrote the disclosure for request %lld to %s (mode 0600); every disclosed field "
	       "is recorded in the audit log\n",
	    (long long)id, path);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (created && !written)
		unlink(path); /* ours, and empty or partial */
	if (json.data)
		sodium_memzero(json.data, json.len);
	buf_free(&json);
	privacy_free(p);
	store_close(s);
	return rc;
}

static const char *
cli_legal_status(const struct disclosure *d, char *out, size_t size)
{
	char when[21];

	if (d->refused)
		return "refused";
	if (d->answered_at) {
		time_rfc3339(d->answered_at, when);
		snprintf(out, size, "answered %.10s", when);
		return out;
	}
	return d->approved_by ? "approved" : "pending";
}

static int
run_legal_list(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	struct disclosure *v = NULL;
	struct buf requester, scope;
	char when[21], status[32];
	size_t n = 0, i;
	int rc = 1;

	buf_init(&requester);
	buf_init(&scope);
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) != NULL && disclosure_list(s, ar, &v, &n) == ERR_OK) {
		printf("%-5s %-15s %-10s %-19s %-24s %s\n", "ID", "BASIS", "RECEIVED", "STATUS",
		    "SUBJECT", "REQUESTER / SCOPE");
		for (i = 0; i < n; i++) {
			time_rfc3339(v[i].received_at, when);
			buf_reset(&requester);
			buf_reset(&scope);
			log_escape(&requester, v[i].requester);
			log_escape(&scope, v[i].scope);
			printf("%-5lld %-15s %.10s %-19s %-24s %s / %s\n", (long long)v[i].id,
			    disclosure_basis_name(v[i].basis), when,
			    cli_legal_status(&v[i], status, sizeof(status)),
			    v[i].subject_username[0] ? v[i].subject_username : "(erased)",
			    requester.data ? requester.data : "", scope.data ? scope.data : "");
		}
		if (n == 0)
			printf("(no requests received)\n");
		rc = 0;
	} else {
		CLI_ERR("cannot list the requests: %s\n", store_errmsg(s));
	}
	buf_free(&requester);
	buf_free(&scope);
	arena_free(ar);
	store_close(s);
	return rc;
}

const struct cli_command cli_legal_commands[] = {
	{"legal request add", "data! basis! requester! subject! scope!", run_legal_add,
	    "usage: candor legal request add --data DIR\n"
	    "           --basis subpoena|court-order|government|protect-rights\n"
	    "           --requester TEXT --subject USERNAME --scope TEXT\n"
	    "Records a legal request for a person's data (the policy's disclosure clause).\n"
	    "--requester names who asks (an agency, a court, a case reference) and --scope\n"
	    "what they ask for: one line each, at most 200 and 1000 bytes. Name the office,\n"
	    "not the officer. Nothing is disclosed until an owner approves the request.\n"},
	{"legal approve", "data! id! by!", run_legal_approve,
	    "usage: candor legal approve --data DIR --id N --by USERNAME\n"
	    "Approves request N. Only an account with the owner role may; any other attempt\n"
	    "is refused and recorded in the audit log.\n"},
	{"legal refuse", "data! id! by!", run_legal_refuse,
	    "usage: candor legal refuse --data DIR --id N --by USERNAME\n"
	    "Refuses request N (owner only). An approved request may still be refused until\n"
	    "it is exported.\n"},
	{"legal export", "data! id! out!", run_legal_export,
	    "usage: candor legal export --data DIR --id N --out FILE\n"
	    "Writes the JSON bundle of what candor holds about the subject of approved\n"
	    "request N to FILE (created, mode 0600; it must not exist). Each disclosed field\n"
	    "is recorded in the audit log (purpose legal), and the request counts as answered\n"
	    "in the public transparency report (/transparency).\n"},
	{"legal list", "data!", run_legal_list,
	    "usage: candor legal list --data DIR\n"
	    "Lists the disclosure register, newest first, with each request's status.\n"},
	{NULL, NULL, NULL, NULL},
};
