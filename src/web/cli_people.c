/*
 * cli_people: accounts and staff from the command line (user add|list|role|password, staff
 * add|agreement|grant|revoke). Emails go straight to the privacy module, which seals
 * them; nothing here prints or logs one. Passwords are read from a file (never from the
 * command line, where other users could see them), go straight to accounts/, and every
 * copy made here is wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "privacy/privacy.h"
#include "sites/sites.h"
#include "web/web_int.h"

static void
cli_people_close(struct store *s, struct privacy *p)
{
	privacy_free(p);
	store_close(s);
}

/* Finds a person by username; prints why not. */
static bool
cli_person(struct store *s, struct arena *a, const char *username, struct person *out)
{
	enum err e = people_find(s, a, username, out);

	if (e == ERR_NOTFOUND)
		CLI_ERR("no account is called %s (see: candor user list)\n", username);
	else if (e != ERR_OK)
		CLI_ERR("cannot look up %s: %s\n", username, err_str(e));
	return e == ERR_OK;
}

/*
 * Reads a password: the first line of path, without its line end ("\n" or "\r\n"), into
 * pw (LIMIT_PASSWORD_MAX_BYTES + 1 bytes, NUL-terminated); *len gets its bytes. "-"
 * (standard input) is not supported. Plain read(2), so no stdio buffer keeps a copy.
 * Prints why not. The caller wipes pw.
 */
bool
cli_password_file(const char *path, char pw[LIMIT_PASSWORD_MAX_BYTES + 1], size_t *len)
{
	char buf[LIMIT_PASSWORD_MAX_BYTES + 2]; /* the longest line and "\r\n" */
	size_t n = 0;
	ssize_t got = 1;
	char *nl;
	bool ok = false;
	int fd;

	if (strcmp(path, "-") == 0) {
		CLI_ERR("--password-file - (standard input) is not supported; give a file\n");
		return false;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		CLI_ERR("cannot read the password file %s: %s\n", path, strerror(errno));
		return false;
	}
	while (n < sizeof(buf) && memchr(buf, '\n', n) == NULL && got != 0) {
		if ((got = read(fd, buf + n, sizeof(buf) - n)) < 0 && errno != EINTR) {
			CLI_ERR("cannot read the password file %s: %s\n", path, strerror(errno));
			goto out;
		}
		if (got > 0)
			n += (size_t)got;
	}
	if ((nl = memchr(buf, '\n', n)) != NULL)
		n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > LIMIT_PASSWORD_MAX_BYTES) {
		CLI_ERR("the first line of %s is longer than a password may be (at most %d "
			"characters)\n", path, LIMIT_PASSWORD_MAX_CHARS);
		goto out;
	}
	memcpy(pw, buf, n);
	pw[n] = '\0';
	*len = n;
	ok = true;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return ok;
}

static int
run_user_add(const struct cli_args *a)
{
	static const char *const roles[] = {"member", "staff", "owner"};
	struct config cfg;
	struct store *s;
	struct privacy *p;
	const char *role = cli_arg(a, "role"), *pwfile = cli_arg(a, "password-file");
	char msg[256] = "", pw[LIMIT_PASSWORD_MAX_BYTES + 1], hash[PASSWORD_HASH_BYTES] = "";
	size_t pwlen = 0;
	int64_t id = 0;
	int r, rc = 1;
	enum err e;

	for (r = 0; r < ROLE__MAX; r++)
		if (strcmp(role, roles[r]) == 0)
			break;
	if (r == ROLE__MAX) {
		CLI_ERR("--role must be owner, staff or member (see: candor user add --help)\n");
		return 2;
	}
	/* a refused password stops everything before the database is touched */
	if (pwfile && !cli_password_file(pwfile, pw, &pwlen))
		return 1;
	if (pwfile && password_check(pw, pwlen, msg, sizeof(msg)) != ERR_OK) {
		CLI_ERR("cannot add the account: %s\n", msg[0] ? msg : "the password is refused");
		goto out;
	}
	/* hashed before the transaction: a running server's writers do not wait for the
	 * argon2id work */
	if (pwfile && password_hash(pw, pwlen, hash) != ERR_OK) {
		CLI_ERR("cannot add the account: the password could not be hashed\n");
		goto out;
	}
	if (!cli_open_private(cli_arg(a, "data"), &cfg, &s, &p))
		goto out;
	/* the person and their password in one transaction: both or neither */
	if ((e = store_begin(s)) == ERR_OK) {
		e = people_add(p, s, cli_arg(a, "username"), cli_arg(a, "email"),
		    (enum person_role)r, !cli_flag(a, "unverified"), &id, msg, sizeof(msg));
		if (e == ERR_OK && pwfile)
			e = password_set_hash(s, id, hash, msg, sizeof(msg));
		if (e == ERR_OK)
			e = store_commit(s);
		else
			store_rollback(s);
	}
	if (e == ERR_OK) {
		printf("Added %s %s (id %lld)%s%s\n", roles[r], cli_arg(a, "username"),
		    (long long)id, cli_flag(a, "unverified") ? ", email not verified" : "",
		    pwfile ? ", password set" : "");
		rc = 0;
	} else {
		CLI_ERR("cannot add the account: %s\n", msg[0] ? msg : err_str(e));
	}
	cli_people_close(s, p);
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

static int
run_user_password(const struct cli_args *a)
{
	char msg[256] = "", pw[LIMIT_PASSWORD_MAX_BYTES + 1];
	struct config cfg;
	struct cli_db db;
	struct store *s = NULL;
	struct arena *ar = NULL;
	struct person person;
	size_t pwlen = 0;
	int rc = 1;
	enum err e;

	if (!cli_password_file(cli_arg(a, "password-file"), pw, &pwlen))
		return 1;
	if ((e = password_check(pw, pwlen, msg, sizeof(msg))) != ERR_OK) {
		CLI_ERR("cannot change the password: %s\n", msg[0] ? msg : err_str(e));
		goto out;
	}
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		goto out;
	if ((ar = arena_new()) == NULL || !cli_person(s, ar, cli_arg(a, "username"), &person))
		goto out;
	if ((e = password_set(s, person.id, pw, pwlen, msg, sizeof(msg))) != ERR_OK) {
		CLI_ERR("cannot change the password: %s\n", msg[0] ? msg : err_str(e));
		goto out;
	}
	printf("Changed the password of %s\n", person.username);
	rc = 0;
out:
	arena_free(ar);
	store_close(s);
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

static int
run_user_list(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	struct person *list;
	char date[21];
	size_t n, i;
	int rc = 1;

	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) != NULL && people_list(s, ar, &list, &n) == ERR_OK) {
		printf("%-5s %-24s %-8s %-9s %s\n", "ID", "USERNAME", "ROLE", "VERIFIED", "CREATED");
		for (i = 0; i < n; i++) {
			time_rfc3339(list[i].created_at, date);
			printf("%-5lld %-24s %-8s %-9s %s\n", (long long)list[i].id,
			    list[i].username, person_role_name(list[i].role),
			    list[i].email_verified ? "yes" : "no", date);
		}
		printf("(email addresses are sealed; members see their own in their account)\n");
		rc = 0;
	} else {
		CLI_ERR("cannot list accounts: %s\n", store_errmsg(s));
	}
	arena_free(ar);
	store_close(s);
	return rc;
}

static int
run_user_role(const struct cli_args *a)
{
	const char *grant = cli_arg(a, "grant"), *revoke = cli_arg(a, "revoke");
	const char *which = grant ? grant : revoke;
	char host[LIMIT_HOST_BYTES + 8];
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar = NULL;
	struct person person;
	struct site site;
	enum site_role r;
	enum err e;
	int rc = 1;

	if ((grant == NULL) == (revoke == NULL)) {
		CLI_ERR("give exactly one of --grant ROLE or --revoke ROLE\n");
		return 2;
	}
	if (strcmp(which, "admin") == 0)
		r = SITE_ROLE_ADMIN;
	else if (strcmp(which, "editor") == 0)
		r = SITE_ROLE_EDITOR;
	else {
		CLI_ERR("a site role is admin or editor, not '%s'\n", which);
		return 2;
	}
	if (!cli_host(cli_arg(a, "site"), host, sizeof(host)))
		return 2;
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) == NULL || !cli_person(s, ar, cli_arg(a, "username"), &person))
		goto out;
	if ((e = sites_find(s, ar, host, &site)) != ERR_OK) {
		CLI_ERR("no site is served at %s (see: candor site list)\n", host);
		goto out;
	}
	e = people_site_role(s, person.id, site.id, r, grant != NULL);
	if (e == ERR_OK || (e == ERR_CONFLICT && grant)) {
		printf("%s %s %s of %s\n", person.username, grant ? "is now" : "is no longer",
		    which, site.host);
		rc = 0;
	} else {
		CLI_ERR("cannot change the role: %s\n", err_str(e));
	}
out:
	arena_free(ar);
	store_close(s);
	return rc;
}

/* Opens the database and finds --username; for the staff commands. */
static struct store *
cli_staff_open(const struct cli_args *a, struct arena **ar, struct person *person)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;

	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return NULL;
	if ((*ar = arena_new()) == NULL || !cli_person(s, *ar, cli_arg(a, "username"), person)) {
		arena_free(*ar);
		*ar = NULL;
		store_close(s);
		return NULL;
	}
	if (person->role != ROLE_STAFF && person->role != ROLE_OWNER) {
		CLI_ERR("%s is a member; add staff with: candor user add --role staff\n",
		    person->username);
		arena_free(*ar);
		*ar = NULL;
		store_close(s);
		return NULL;
	}
	return s;
}

static int
run_staff_add(const struct cli_args *a)
{
	struct arena *ar = NULL;
	struct person person;
	struct store *s;
	enum err e;

	if ((s = cli_staff_open(a, &ar, &person)) == NULL)
		return 1;
	e = staff_set(s, person.id, cli_arg(a, "org"), cli_arg(a, "country"));
	arena_free(ar);
	store_close(s);
	if (e == ERR_INVAL) {
		CLI_ERR("--org is 1 to 100 characters and --country an ISO 3166 code such as DE\n");
		return 2;
	}
	if (e != ERR_OK) {
		CLI_ERR("cannot record the staff member: %s\n", err_str(e));
		return 1;
	}
	printf("%s works for %s in %s\n", cli_arg(a, "username"), cli_arg(a, "org"),
	    cli_arg(a, "country"));
	return 0;
}

static int
run_staff_agreement(const struct cli_args *a)
{
	struct arena *ar = NULL;
	struct person person;
	struct store *s;
	int64_t when;
	enum err e;

	if (time_parse_date(cli_arg(a, "signed-on"), &when) != ERR_OK) {
		CLI_ERR("--signed-on must be a date as YYYY-MM-DD\n");
		return 2;
	}
	if ((s = cli_staff_open(a, &ar, &person)) == NULL)
		return 1;
	e = staff_agreement(s, person.id, cli_arg(a, "version"), when);
	arena_free(ar);
	store_close(s);
	if (e != ERR_OK) {
		CLI_ERR("cannot record the agreement: %s\n",
		    e == ERR_CONFLICT ? "that version is already recorded" : err_str(e));
		return 1;
	}
	printf("Recorded confidentiality agreement %s signed by %s on %s\n",
	    cli_arg(a, "version"), cli_arg(a, "username"), cli_arg(a, "signed-on"));
	return 0;
}

static int
run_staff_grant(const struct cli_args *a, bool grant)
{
	struct arena *ar = NULL;
	struct person person;
	struct store *s;
	enum purpose pu;
	int64_t until = 0;
	enum err e;

	if (!purpose_parse(cli_arg(a, "purpose"), &pu) ||
	    (pu != PURPOSE_SUPPORT && pu != PURPOSE_BILLING && pu != PURPOSE_SECURITY &&
		pu != PURPOSE_MODERATION)) {
		CLI_ERR("--purpose must be support, billing, security or moderation (legal "
			"requests go through candor legal)\n");
		return 2;
	}
	if (grant && time_parse_date(cli_arg(a, "until"), &until) != ERR_OK) {
		CLI_ERR("--until must be a date as YYYY-MM-DD\n");
		return 2;
	}
	if ((s = cli_staff_open(a, &ar, &person)) == NULL)
		return 1;
	/* a grant lasts to the end of its last day */
	e = grant ? staff_grant(s, person.id, pu, until + 86399) : staff_revoke(s, person.id, pu);
	arena_free(ar);
	store_close(s);
	if (e != ERR_OK) {
		CLI_ERR("cannot change the grant: %s\n", err_str(e));
		return 1;
	}
	if (grant)
		printf("%s may read data for %s until the end of %s\n", cli_arg(a, "username"),
		    cli_arg(a, "purpose"), cli_arg(a, "until"));
	else
		printf("%s no longer has a %s grant\n", cli_arg(a, "username"), cli_arg(a, "purpose"));
	return 0;
}

static int
run_staff_grant_add(const struct cli_args *a)
{
	return run_staff_grant(a, true);
}

static int
run_staff_revoke(const struct cli_args *a)
{
	return run_staff_grant(a, false);
}

const struct cli_command cli_people_commands[] = {
	{"user add", "data! username! email! role! unverified? password-file", run_user_add,
	    "usage: candor user add --data DIR --username USER --email EMAIL\n"
	    "                       --role owner|staff|member [--unverified] [--password-file F]\n"
	    "Adds an account. The email is sealed at once under the person's own key; it is\n"
	    "never stored or logged in plaintext. An address you enter counts as verified\n"
	    "(you vouch for it) unless --unverified is given.\n"
	    "  --password-file F  the password is the first line of F (line end removed; '-'\n"
	    "                     for standard input is not supported): 12 to 128 characters,\n"
	    "                     not a common password. A refused password adds nothing.\n"
	    "                     Without it the account has no password until\n"
	    "                     `candor user password` sets one.\n"},
	{"user password", "data! username! password-file!", run_user_password,
	    "usage: candor user password --data DIR --username USER --password-file F\n"
	    "Sets or changes an account's password: the first line of F (line end removed;\n"
	    "'-' is not supported), 12 to 128 characters, not a common password. Only an\n"
	    "argon2id hash is stored. Delete F afterwards.\n"},
	{"user list", "data!", run_user_list,
	    "usage: candor user list --data DIR\nLists accounts (without their email addresses).\n"},
	{"user role", "data! username! site! grant revoke", run_user_role,
	    "usage: candor user role --data DIR --username USER --site HOST\n"
	    "                        (--grant admin|editor | --revoke admin|editor)\n"
	    "Gives or takes a role on one site. A site's admins may see the IP address and\n"
	    "email of comments left on that site, and on no other site.\n"},
	{"staff add", "data! username! org! country!", run_staff_add,
	    "usage: candor staff add --data DIR --username USER --org ORG --country CC\n"
	    "Records where a staff account works (organisation, ISO country code): people\n"
	    "whose data they read are told (the policy's clause on transfers abroad).\n"},
	{"staff agreement", "data! username! version! signed-on!", run_staff_agreement,
	    "usage: candor staff agreement --data DIR --username USER --version V\n"
	    "                              --signed-on YYYY-MM-DD\n"
	    "Records a signed confidentiality agreement. Without one, staff read nothing.\n"},
	{"staff grant", "data! username! purpose! until!", run_staff_grant_add,
	    "usage: candor staff grant --data DIR --username USER\n"
	    "                          --purpose support|billing|security|moderation|\n"
	    "                                    announcements --until YYYY-MM-DD\n"
	    "Gives a need-to-know grant for one purpose until the end of a day. A moderation\n"
	    "grant lets staff moderate every site's comments, their IP and email included.\n"
	    "An announcements grant lets staff send announcements (it opens no data).\n"},
	{"staff revoke", "data! username! purpose!", run_staff_revoke,
	    "usage: candor staff revoke --data DIR --username USER --purpose PURPOSE\n"
	    "Ends a need-to-know grant now.\n"},
	{NULL, NULL, NULL, NULL},
};
