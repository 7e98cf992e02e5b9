/*
 * it_accounts: passwords through the real candor binary, on the test's backend.
 * `candor user add --password-file F` sets the first line of F (line end removed, CRLF
 * too) in the same transaction as the account; a refused password is an error naming the
 * reason and creates nothing; `candor user password` changes it. Afterwards no password
 * appears in plaintext anywhere in the data directory (or in a dump of the PostgreSQL
 * database), and the stored hashes match exactly the passwords that were set.
 */
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define FIRST "Tangerine Lighthouse Orbit 77"
#define SECOND "quiet-otter-under-the-bridge"
#define CRLF_PW "crlf ended passphrase here"

/* Writes text to a new file (mode 0600) in its own directory; returns its path. */
static const char *
pwfile(const char *text)
{
	static char paths[8][600];
	static int next;
	char *path = paths[next++ % 8];
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/pw.txt", t_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	T_ASSERT(close(fd) == 0);
	return path;
}

/* Opens dir's database as candor does (the test backends need no password file). */
static struct store *
open_db(const char *dir, char *url, size_t urlsize)
{
	struct config cfg;
	char msg[512], path[1100];
	struct store *s;
	enum err e;

	T_EQ_INT(config_load(dir, &cfg, msg, sizeof(msg)), ERR_OK);
	if (strncmp(cfg.database, "sqlite:", 7) == 0) {
		config_path(&cfg, cfg.database + 7, path, sizeof(path));
		snprintf(url, urlsize, "sqlite:%s", path);
	} else {
		str_copy(url, cfg.database, urlsize);
	}
	if ((s = store_open(url, NULL, &e, msg, sizeof(msg))) == NULL)
		T_FAIL("store_open(%s): %s", url, msg);
	return s;
}

/* Whether pw is username's password, read straight from the database. */
static bool
is_password(const char *dir, const char *username, const char *pw)
{
	char url[1200];
	struct store *s = open_db(dir, url, sizeof(url));
	struct arena *a = arena_new();
	struct person who;
	bool ok = false;

	T_ASSERT(a != NULL);
	T_EQ_INT(people_find(s, a, username, &who), ERR_OK);
	T_EQ_INT(password_matches(s, who.id, pw, strlen(pw), &ok), ERR_OK);
	arena_free(a);
	store_close(s);
	return ok;
}

int
main(void)
{
	const char *dir = t_datadir(false);
	char *out = NULL;

	/* a good password from a file with a trailing newline */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     "alice@example.test", "--role", "owner", "--password-file",
		     pwfile(FIRST "\n"), NULL),
	    0);
	T_CONTAINS(out, "Added owner alice");
	T_CONTAINS(out, "password set");
	T_NOT_CONTAINS(out, FIRST);
	free(out);
	T_ASSERT(is_password(dir, "alice", FIRST));
	T_ASSERT(!is_password(dir, "alice", FIRST "\n"));

	/* CRLF line ends and a second line: only the first line, without "\r\n" */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "bob", "--email",
		     "bob@example.test", "--role", "member", "--password-file",
		     pwfile(CRLF_PW "\r\nsecond line\n"), NULL),
	    0);
	free(out);
	T_ASSERT(is_password(dir, "bob", CRLF_PW));

	/* refused passwords: an error that says why, and no account */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "carol", "--email",
		     "carol@example.test", "--role", "member", "--password-file",
		     pwfile("Password1234\n"), NULL),
	    1);
	T_CONTAINS(out, "common password");
	T_NOT_CONTAINS(out, "Added");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "carol", "--email",
		     "carol@example.test", "--role", "member", "--password-file",
		     pwfile("eleven char"), NULL),
	    1);
	T_CONTAINS(out, "at least 12 characters");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "carol", "--email",
		     "carol@example.test", "--role", "member", "--password-file",
		     "/nonexistent/pw.txt", NULL),
	    1);
	T_CONTAINS(out, "cannot read the password file");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "carol", "--email",
		     "carol@example.test", "--role", "member", "--password-file", "-", NULL),
	    1);
	T_CONTAINS(out, "not supported");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "alice");
	T_NOT_CONTAINS(out, "carol");
	free(out);
	/* the address was not taken by a half-made account: carol can be added now */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "carol", "--email",
		     "carol@example.test", "--role", "member", NULL),
	    0);
	T_NOT_CONTAINS(out, "password set");
	free(out);

	/* candor user password: sets one for carol, changes alice's */
	T_EQ_INT(t_candor(&out, "user", "password", "--data", dir, "--username", "alice",
		     "--password-file", pwfile(SECOND "\n"), NULL),
	    0);
	T_CONTAINS(out, "Changed the password of alice");
	free(out);
	T_ASSERT(is_password(dir, "alice", SECOND));
	T_ASSERT(!is_password(dir, "alice", FIRST));
	T_EQ_INT(t_candor(&out, "user", "password", "--data", dir, "--username", "alice",
		     "--password-file", pwfile("qwertyqwerty\n"), NULL),
	    1);
	T_CONTAINS(out, "attackers try");
	free(out);
	T_ASSERT(is_password(dir, "alice", SECOND)); /* unchanged */
	T_EQ_INT(t_candor(&out, "user", "password", "--data", dir, "--username", "nobody",
		     "--password-file", pwfile(SECOND), NULL),
	    1);
	T_CONTAINS(out, "no account is called nobody");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "password", "--data", dir, "--username", "carol",
		     "--password-file", pwfile(FIRST), NULL),
	    0);
	free(out);
	T_ASSERT(is_password(dir, "carol", FIRST));

	/* no password in plaintext in the data directory: database, WAL, config, logs */
	t_assert_absent(dir, FIRST);
	t_assert_absent(dir, SECOND);
	t_assert_absent(dir, CRLF_PW);
	t_assert_absent(dir, "Password1234");
	if (strcmp(t_backend(), "postgres") == 0) {
		char url[1200], cmd[2600], dump[700], *data;
		const char *tmp = t_tmpdir();
		size_t len;
		store_close(open_db(dir, url, sizeof(url)));
		snprintf(dump, sizeof(dump), "%s/dump.sql", tmp);
		snprintf(cmd, sizeof(cmd), "pg_dump --no-owner '%s' > '%s'", url, dump);
		T_EQ_INT(system(cmd), 0);
		data = t_read_file(dump, &len);
		T_ASSERT(data != NULL && len > 1000);
		T_CONTAINS(data, "account_passwords"); /* the dump is real */
		T_CONTAINS(data, "$argon2id$v=19$m=19456,t=2,p=1$");
		free(data);
		t_assert_absent(tmp, FIRST);
		t_assert_absent(tmp, SECOND);
		t_assert_absent(tmp, CRLF_PW);
	}
	return 0;
}
