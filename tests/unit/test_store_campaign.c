/*
 * test_store_campaign: mail campaigns (src/mail/campaign.c) on the test's backend (this
 * test runs on both). A campaign's recipients are frozen once (duplicates ignored); a
 * second campaign with the same ref is ERR_CONFLICT; a subject with CR or LF, or an
 * unsubscribe value with a line break, is refused (header injection); a run queues at
 * most per_minute in any 60 seconds (N, then none in the same minute, then N more a
 * minute later) and never a recipient twice; forget drops the waiting rows of list
 * campaigns only; an erased recipient is skipped; the queued message carries the
 * footer link and, delivered to the Maildir, List-Unsubscribe, List-Unsubscribe-Post
 * and both parts; unsubscribe tokens verify and a changed byte does not.
 */
#include <dirent.h>

#include "mail/mail.h"
#include "mail/mail_int.h"
#include "testlib.h"

#define T0 1800000000

static struct store *st;
static struct privacy *priv;

static int64_t
waiting(void)
{
	static const struct store_stmt q1 = {"t_waiting",
	    "SELECT COUNT(*) FROM mail_campaign_recipients WHERE queued_at = 0"};
	struct store_q *q = store_prepare(st, &q1);
	int64_t n = -1;

	T_ASSERT(q != NULL);
	if (store_step(q) == STORE_ROW)
		n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static int64_t
outbox_rows(void)
{
	struct mail_entry *v;
	struct arena *a = arena_new();
	size_t n;

	T_EQ_INT(mail_list(st, a, 0xf, &v, &n), ERR_OK);
	arena_free(a);
	return (int64_t)n;
}

int
main(void)
{
	struct config cfg;
	struct mail_campaign c;
	struct mail_extra x;
	struct mail_transport t;
	struct mail_run run;
	struct mail_campaign_info *info;
	struct arena *a;
	int64_t ids[25], q = 0, id, who;
	char name[16], token[MAIL_UNSUB_TOKEN_LEN + 1], path[1200], *txt = NULL;
	struct dirent *d;
	size_t n, i;
	DIR *dh;

	t_privacy_config(&cfg, NULL);
	st = t_privacy_store(&cfg);
	T_EQ_INT(mail_migrate(st), ERR_OK);
	T_EQ_INT(mail_migrate(st), ERR_OK);
	priv = t_privacy_open(&cfg);
	T_ASSERT((a = arena_new()) != NULL);
	for (i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "p%02zu", i);
		ids[i] = t_person(priv, st, name, ROLE_MEMBER);
	}

	/* tokens */
	T_EQ_INT(mail_unsub_token(priv, ids[3], token), ERR_OK);
	T_EQ_INT(strlen(token), MAIL_UNSUB_TOKEN_LEN);
	T_EQ_INT(mail_unsub_check(priv, token, &who), ERR_OK);
	T_EQ_INT(who, ids[3]);
	token[10] = token[10] == 'A' ? 'B' : 'A';
	T_EQ_INT(mail_unsub_check(priv, token, &who), ERR_DENIED);
	T_EQ_INT(mail_unsub_check(priv, "short", &who), ERR_DENIED);
	T_EQ_INT(mail_unsub_check(priv, NULL, &who), ERR_DENIED);

	/* header injection is refused at the campaign and at the outbox */
	memset(&c, 0, sizeof(c));
	c.ref = "announcement:bad";
	c.subject = "Hello\r\nBcc: victim@example.test";
	c.text = "text\n";
	T_EQ_INT(mail_campaign_create(st, &c, ids, 25, NULL), ERR_INVAL);
	c.subject = "Hello\nBcc: victim@example.test";
	T_EQ_INT(mail_campaign_create(st, &c, ids, 25, NULL), ERR_INVAL);
	x.html = NULL;
	x.unsubscribe = "<https://e.test/u>\r\nBcc: victim@example.test";
	T_EQ_INT(mail_enqueue_extra(priv, st, ids[0], "p00@example.test", "ok", "b\n", &x, NULL),
	    ERR_INVAL);
	T_EQ_INT(outbox_rows(), 0);

	/* a list campaign to 25 people, one listed twice */
	c.subject = "Spring news";
	c.ref = "announcement:spring";
	c.text = "We have news.\n";
	c.html = "<p>We have <strong>news</strong>.</p>\n";
	c.unsub_base = "https://example.test/unsubscribe/";
	c.unsub_inbox = "candor@example.org";
	ids[24] = ids[23];
	T_EQ_INT(mail_campaign_create(st, &c, ids, 25, &id), ERR_OK);
	T_EQ_INT(waiting(), 24);
	T_EQ_INT(mail_campaign_create(st, &c, ids, 25, NULL), ERR_CONFLICT);

	/* throttle: 10 a minute */
	T_EQ_INT(mail_campaign_run(priv, st, 10, T0, &q), ERR_OK);
	T_EQ_INT(q, 10);
	T_EQ_INT(mail_campaign_run(priv, st, 10, T0 + 30, &q), ERR_OK);
	T_EQ_INT(q, 0);
	T_EQ_INT(mail_campaign_run(priv, st, 10, T0 + 61, &q), ERR_OK);
	T_EQ_INT(q, 10);
	T_EQ_INT(outbox_rows(), 20);
	T_EQ_INT(waiting(), 4);

	/* forget: p21 unsubscribed; an erased person is skipped */
	T_EQ_INT(mail_campaign_forget(st, ids[21]), ERR_OK);
	T_EQ_INT(waiting(), 3);
	{
		char subj[48];
		privacy_subject(ids[22], subj);
		T_EQ_INT(vault_shred(priv, st, subj), ERR_OK);
	}
	T_EQ_INT(mail_campaign_run(priv, st, 100, T0 + 200, &q), ERR_OK);
	T_EQ_INT(q, 2); /* p20 and p23; p22's address no longer opens */
	T_EQ_INT(waiting(), 0);
	T_EQ_INT(outbox_rows(), 22);
	T_EQ_INT(mail_campaign_run(priv, st, 100, T0 + 400, &q), ERR_OK);
	T_EQ_INT(q, 0); /* never twice */
	T_EQ_INT(mail_campaign_list(st, a, &info, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(info[0].total, 25);
	T_EQ_INT(info[0].queued, 23); /* marked, p22 with nothing sent */

	/* delivered to the Maildir: list headers, both parts, the footer link */
	memset(&t, 0, sizeof(t));
	str_copy(t.from, "candor@example.org", sizeof(t.from));
	snprintf(t.maildir, sizeof(t.maildir), "%s/maildir", cfg.data_dir);
	t.lease_s = LIMIT_MAIL_LEASE_MAILDIR_S;
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now() + 1, &run), ERR_OK);
	T_EQ_INT(run.sent, 22);
	snprintf(path, sizeof(path), "%s/new", t.maildir);
	T_ASSERT((dh = opendir(path)) != NULL);
	while (txt == NULL && (d = readdir(dh)) != NULL) {
		char f[1500];
		if (d->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, d->d_name);
		txt = t_read_file(f, NULL);
	}
	closedir(dh);
	T_ASSERT(txt != NULL);
	T_CONTAINS(txt, "\nList-Unsubscribe: <https://example.test/unsubscribe/");
	T_CONTAINS(txt, ">, <mailto:candor@example.org?subject=unsubscribe%20");
	T_CONTAINS(txt, "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n");
	T_CONTAINS(txt, "Content-Type: multipart/alternative; boundary=");
	T_CONTAINS(txt, "Content-Type: text/plain; charset=utf-8");
	T_CONTAINS(txt, "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64");
	T_CONTAINS(txt, "We have news.\n");
	T_CONTAINS(txt, "(one click, no sign-in):\nhttps://example.test/unsubscribe/");
	free(txt);

	/* a service campaign (no unsubscribe) is not dropped by forget */
	memset(&c, 0, sizeof(c));
	c.ref = "policy:9";
	c.subject = "Privacy policy update (version 9)";
	c.text = "Changed.\n";
	T_EQ_INT(mail_campaign_create(st, &c, ids, 3, NULL), ERR_OK);
	T_EQ_INT(mail_campaign_forget(st, ids[0]), ERR_OK);
	T_EQ_INT(waiting(), 3);

	arena_free(a);
	privacy_free(priv);
	store_close(st);
	printf("ok\n");
	return 0;
}
