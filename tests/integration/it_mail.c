/*
 * it_mail: mail delivery by the real `candor serve`, on both backends. Forty messages
 * are queued for the Maildir; the server is killed with SIGKILL as soon as the first
 * one has arrived (in the middle of the run); after a restart every message is in the
 * Maildir exactly once and `candor mail outbox` shows nothing waiting, and lists sent
 * mail by person id, never by address. Each body holds a link with a random token: it
 * is never in the SQLite files (sealed), and arrives intact in every message. A bad
 * [smtp] value is refused by name.
 */
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include "mail/mail.h"
#include "testlib.h"
#include "web/web_int.h"

#define MESSAGES 40

static int
count_files(const char *dir)
{
	struct dirent *d;
	DIR *dh = opendir(dir);
	int n = 0;

	if (dh == NULL)
		return 0;
	while ((d = readdir(dh)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dh);
	return n;
}

/* How many files in dir hold the line "Subject: SUBJ" (and, when link is not NULL, the
 * line link). */
static int
count_subject(const char *dir, const char *subj, const char *link)
{
	char path[1400], line[128], *txt;
	struct dirent *d;
	DIR *dh = opendir(dir);
	int n = 0;

	snprintf(line, sizeof(line), "\nSubject: %s\n", subj);
	while (dh && (d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((txt = t_read_file(path, NULL)) && strstr(txt, line) &&
		    (link == NULL || strstr(txt, link)))
			n++;
		free(txt);
	}
	if (dh)
		closedir(dh);
	return n;
}

int
main(void)
{
	const char *dir = t_datadir(false);
	struct t_server srv;
	struct config cfg;
	struct cli_db db;
	struct privacy *p = NULL;
	struct store *s;
	char msg[512], new_dir[1200], subj[32], *out = NULL, path[1200];
	char token[33], link[128], body[160], dbdir[1200] = "", *slash;
	unsigned char rnd[16];
	int64_t person = 0;
	enum err e;
	int i;
	FILE *f;

	T_ASSERT(sodium_init() >= 0);
	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	if (privacy_open(&cfg, &p, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("privacy_open: %s", msg);
	T_EQ_INT(people_add(p, s, "alice", "alice@example.test", ROLE_MEMBER, true, &person, msg,
		     sizeof(msg)), ERR_OK);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	snprintf(link, sizeof(link), "\nhttps://example.test/verify?token=%s\n", token);
	snprintf(body, sizeof(body), "hello, your link:%s", link);
	T_EQ_INT(store_begin(s), ERR_OK);
	for (i = 0; i < MESSAGES; i++) {
		snprintf(subj, sizeof(subj), "message %d", i);
		T_EQ_INT(mail_enqueue(p, s, person, "alice@example.test", subj, body, NULL),
		    ERR_OK);
	}
	T_EQ_INT(store_commit(s), ERR_OK);
	privacy_free(p);
	store_close(s);
	/* the bodies are sealed: the link is in no database file (SQLite: file and WAL) */
	if (strncmp(db.url, "sqlite:", 7) == 0) {
		str_copy(dbdir, db.url + 7, sizeof(dbdir));
		if ((slash = strrchr(dbdir, '/')) != NULL)
			*slash = '\0';
		else
			str_copy(dbdir, dir, sizeof(dbdir));
		t_assert_absent(dbdir, token);
	}

	T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, NULL), 0);
	T_CONTAINS(out, "pending");
	T_CONTAINS(out, "message 39");
	T_NOT_CONTAINS(out, "example.test");
	free(out);

	/* killed in the middle of a delivery run */
	snprintf(new_dir, sizeof(new_dir), "%s/maildir/new", dir);
	t_server_start(&srv, dir);
	for (i = 0; i < 3000 && count_files(new_dir) == 0; i++)
		usleep(2000);
	kill(srv.pid, SIGKILL);
	T_EQ_INT(t_server_stop(&srv), 128 + SIGKILL);
	fprintf(stderr, "killed with %d of %d delivered\n", count_files(new_dir), MESSAGES);
	T_ASSERT(count_files(new_dir) >= 1);

	/* restarted: everything arrives, once (a row caught in `sending` waits out the
	 * Maildir lease, LIMIT_MAIL_LEASE_MAILDIR_S) */
	t_server_start(&srv, dir);
	for (i = 0; i < 600; i++) {
		T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, NULL), 0);
		if (strstr(out, "no message waiting") && count_files(new_dir) >= MESSAGES)
			break;
		free(out);
		out = NULL;
		usleep(100000);
	}
	T_CONTAINS(out, "no message waiting");
	free(out);
	T_EQ_INT(t_server_stop(&srv), 0);
	T_EQ_INT(count_files(new_dir), MESSAGES);
	for (i = 0; i < MESSAGES; i++) {
		snprintf(subj, sizeof(subj), "message %d", i);
		T_EQ_INT(count_subject(new_dir, subj, link + 1), 1);
	}
	if (dbdir[0]) /* ...nor after sending (t_assert_absent skips the Maildir) */
		t_assert_absent(dbdir, token);
	T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, "--all", NULL), 0);
	T_CONTAINS(out, "sent");
	T_NOT_CONTAINS(out, "alice@");
	free(out);

	/* a bad [smtp] value is refused, naming the key */
	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	T_ASSERT((f = fopen(path, "a")) != NULL);
	fprintf(f, "\n[smtp]\nstarttls = maybe\n");
	fclose(f);
	T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, NULL), 1);
	T_CONTAINS(out, "starttls");
	free(out);
	printf("ok\n");
	return 0;
}
