/*
 * it_privacy: after `candor user add ... --email alice@example.test`, that address
 * appears nowhere in plaintext: not in the data directory's files (SQLite database, WAL,
 * shared memory, config, logs), not in a dump of the PostgreSQL database, not in the
 * server's log. The privacy page shows the collection table and the cookie list from the
 * inventory. Accounts and staff commands behave and fail as documented.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "testlib.h"

#define EMAIL "alice@example.test"

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	struct t_resp r;
	char *out = NULL, *log, cmd[1500];

	/* init can make the first account, the owner, with a password from a file */
	{
		char owned[400], pwfile[400];
		FILE *f;
		snprintf(owned, sizeof(owned), "%s/owned", t_tmpdir());
		snprintf(pwfile, sizeof(pwfile), "%s/pw", t_tmpdir());
		f = fopen(pwfile, "w");
		T_ASSERT(f != NULL);
		fputs("Saffron Harbour Lantern 42\n", f);
		fclose(f);
		T_EQ_INT(t_candor(&out, "init", "--data", owned, "--owner-username", "founder",
			     "--owner-email", "founder@example.test", "--owner-password-file", pwfile,
			     NULL),
		    0);
		free(out);
		T_EQ_INT(t_candor(&out, "user", "list", "--data", owned, NULL), 0);
		T_CONTAINS(out, "founder");
		T_CONTAINS(out, "owner");
		free(out);
		t_assert_absent(owned, "founder@example.test");
		t_assert_absent(owned, "Saffron Harbour Lantern 42");
		/* a refused owner leaves no data directory behind */
		snprintf(owned, sizeof(owned), "%s/refused", t_tmpdir());
		T_EQ_INT(t_candor(&out, "init", "--data", owned, "--owner-username", "x",
			     "--owner-email", "x@example.test", NULL),
		    1);
		free(out);
		T_ASSERT(access(owned, F_OK) != 0);
	}

	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     EMAIL, "--role", "member", NULL), 0);
	T_CONTAINS(out, "Added member alice");
	T_NOT_CONTAINS(out, EMAIL);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "olivia", "--email",
		     "Olivia@Example.TEST", "--role", "owner", NULL), 0);
	free(out);
	/* the same address again (any case) or the same username: refused */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice2", "--email",
		     "ALICE@example.test", "--role", "member", NULL), 1);
	T_CONTAINS(out, "exists");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     "other@example.test", "--role", "member", NULL), 1);
	T_CONTAINS(out, "taken");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "x", "--email",
		     "not-an-address", "--role", "member", NULL), 1);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "zed", "--email",
		     "zed@example.test", "--role", "king", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "alice");
	T_CONTAINS(out, "owner");
	T_NOT_CONTAINS(out, EMAIL);
	free(out);

	/* roles and staff records */
	T_EQ_INT(t_candor(&out, "user", "role", "--data", dir, "--username", "alice", "--site",
		     "blog.perfectimagevideo.localhost", "--grant", "admin", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "role", "--data", dir, "--username", "alice", "--site",
		     "nosuch.example", "--grant", "admin", NULL), 1);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "sam", "--email",
		     "sam@example.test", "--role", "staff", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "add", "--data", dir, "--username", "sam", "--org",
		     "Edit House Ltd", "--country", "PT", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "agreement", "--data", dir, "--username", "sam",
		     "--version", "2026-1", "--signed-on", "2026-11-01", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "grant", "--data", dir, "--username", "sam", "--purpose",
		     "support", "--until", "2026-13-01", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "grant", "--data", dir, "--username", "sam", "--purpose",
		     "support", "--until", "2027-01-31", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "grant", "--data", dir, "--username", "alice",
		     "--purpose", "support", "--until", "2027-01-31", NULL), 1);
	T_CONTAINS(out, "is a member");
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "revoke", "--data", dir, "--username", "sam", "--purpose",
		     "support", NULL), 0);
	free(out);

	/* the privacy page: the policy, then the tables generated from the inventory */
	t_server_start(&srv, dir);
	t_http(&r, srv.port, "GET", "perfectimagevideo.localhost", "/privacy", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "What we collect and why");
	T_CONTAINS(r.body, "<td>Your email address (if you have an account)</td>");
	T_CONTAINS(r.body, "Cookies</h2>");
	/* the three cookies, from the inventory's own table (B6) */
	T_NOT_CONTAINS(r.body, "This site sets no cookies.");
	T_CONTAINS(r.body, "<td><code>__Host-candor_session</code></td>");
	T_CONTAINS(r.body, "<td><code>candor_visitor</code></td>");
	T_CONTAINS(r.body, "<td><code>candor_prefs</code></td>");
	t_resp_free(&r);

	/* an address written while the server holds the database open stays in the WAL
	 * (no checkpoint yet): scan then, so the WAL is searched too */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "walter", "--email",
		     "wal.witness@example.test", "--role", "member", NULL), 0);
	free(out);
	if (strcmp(t_backend(), "sqlite") == 0) {
		char wal[600];
		snprintf(wal, sizeof(wal), "%s/candor.db-wal", dir);
		T_ASSERT(access(wal, F_OK) == 0);
	}
	t_assert_absent(dir, "wal.witness@example.test");
	t_assert_absent(dir, EMAIL);
	T_EQ_INT(t_server_stop(&srv), 0);

	/* no plaintext email anywhere */
	t_assert_absent(dir, EMAIL);
	t_assert_absent(dir, "olivia@example.test");
	log = t_read_file(srv.log, NULL);
	T_NOT_CONTAINS(log, "example.test");
	free(log);
	if (strcmp(t_backend(), "postgres") == 0) {
		char *conf, *p, url[1200], dump[600];
		FILE *f;
		size_t len;
		snprintf(cmd, sizeof(cmd), "%s/candor.conf", dir);
		conf = t_read_file(cmd, NULL);
		T_ASSERT(conf != NULL && (p = strstr(conf, "\ndatabase = ")) != NULL);
		p += strlen("\ndatabase = ");
		snprintf(url, sizeof(url), "%.*s", (int)strcspn(p, "\n"), p);
		free(conf);
		snprintf(dump, sizeof(dump), "%s/dump.sql", t_tmpdir());
		snprintf(cmd, sizeof(cmd), "pg_dump --no-owner '%s' > '%s'", url, dump);
		T_EQ_INT(system(cmd), 0);
		f = fopen(dump, "r");
		T_ASSERT(f != NULL);
		fclose(f);
		out = t_read_file(dump, &len);
		T_ASSERT(out != NULL && len > 1000);
		T_CONTAINS(out, "email_sealed"); /* the dump is real */
		free(out);
		t_assert_absent(t_tmpdir(), EMAIL); /* the directory holding dump.sql */
	}
	return 0;
}
