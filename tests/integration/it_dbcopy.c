/*
 * it_dbcopy: `candor db copy` moves a SQLite install into an empty database (PostgreSQL
 * on the postgres run, another SQLite file on the sqlite run): every row of every table
 * arrives unchanged, the config switches to the new database, the site serves from it,
 * new rows get fresh ids (identity sequences moved past the copied ones), and a
 * non-empty target is refused without change. The search index is not copied but
 * rebuilt: search answers on the new database, also for a post added after the move,
 * and again after a copy back into a new SQLite file.
 */
#include <stdio.h>

#include "policy/policy.h"
#include "sites/sites.h"
#include "store/store.h"
#include "testlib.h"

/* Compares every row and column of t in a and b. */
static void
same_rows(struct store *a, struct store *b, const struct store_table *t)
{
	struct store_q *qa = store_prepare(a, t->select_all);
	struct store_q *qb = store_prepare(b, t->select_all);
	size_t ncols = strlen(t->types), i;
	int rows = 0;

	T_ASSERT(qa != NULL && qb != NULL);
	for (;;) {
		enum store_rc ra = store_step(qa), rb = store_step(qb);
		T_EQ_INT(ra, rb);
		if (ra != STORE_ROW)
			break;
		rows++;
		for (i = 0; i < ncols; i++) {
			T_EQ_INT(store_col_null(qa, (int)i), store_col_null(qb, (int)i));
			if (t->types[i] == 'i')
				T_EQ_INT(store_col_int(qa, (int)i), store_col_int(qb, (int)i));
			else
				T_EQ_STR(store_col_text(qa, (int)i), store_col_text(qb, (int)i));
		}
	}
	T_EQ_INT(store_done(qa), ERR_OK);
	T_EQ_INT(store_done(qb), ERR_OK);
	/* the demo holds no policy acceptance: nobody has signed up */
	if (strcmp(t->name, "policy_acceptances") != 0)
		T_ASSERT(rows > 0);
	printf("%s: %d rows identical\n", t->name, rows);
}

int
main(void)
{
	char dir[300], src_url[400], dst_url[600], md[300], msg[256], *out = NULL, *conf;
	struct store *a, *b;
	struct t_server srv;
	struct t_resp r;
	enum err e;
	size_t i;

	/* the source is always the embedded default: SQLite */
	snprintf(dir, sizeof(dir), "%s/data", t_tmpdir());
	T_EQ_INT(t_candor(&out, "init", "--data", dir, "--demo", NULL), 0);
	free(out);
	snprintf(src_url, sizeof(src_url), "sqlite:%s/candor.db", dir);
	if (strcmp(t_backend(), "postgres") == 0)
		t_db_url(dst_url, sizeof(dst_url));
	else
		snprintf(dst_url, sizeof(dst_url), "sqlite:%s/moved.db", t_tmpdir());

	T_EQ_INT(t_candor(&out, "db", "copy", "--data", dir, "--to", dst_url, NULL), 0);
	T_CONTAINS(out, "posts");
	free(out);
	snprintf(md, sizeof(md), "%s/candor.conf", dir);
	conf = t_read_file(md, NULL);
	{
		char line[700];
		snprintf(line, sizeof(line), "database = %s\n", dst_url);
		T_CONTAINS(conf, line);
	}
	free(conf);

	/* every row of every table, column by column */
	a = store_open(src_url, NULL, &e, msg, sizeof(msg));
	b = store_open(dst_url, NULL, &e, msg, sizeof(msg));
	T_ASSERT(a != NULL && b != NULL);
	for (i = 0; i < sites_tables_count; i++)
		same_rows(a, b, &sites_tables[i]);
	for (i = 0; i < policy_tables_count; i++)
		same_rows(a, b, &policy_tables[i]);
	store_close(a);
	store_close(b);

	/* the install now runs on the new database */
	t_server_start(&srv, dir);
	t_http(&r, srv.port, "GET", "perfectimagevideo.localhost", "/privacy", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Version 1");
	t_resp_free(&r);
	t_http(&r, srv.port, "GET", "blog.perfectimagevideo.localhost", "/", NULL, NULL);
	T_CONTAINS(r.body, "Why we record room tone");
	t_resp_free(&r);
	t_http(&r, srv.port, "GET", "blog.perfectimagevideo.localhost", "/search?q=room+tone",
	    NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Why we record room tone");
	T_CONTAINS(r.body, "<mark>");
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);
	conf = t_read_file(srv.log, NULL);
	T_CONTAINS(conf, strcmp(t_backend(), "postgres") == 0 ? "postgresql)" : "sqlite)");
	free(conf);

	/* new rows get new ids: the identity sequences continue after the copied ids */
	snprintf(md, sizeof(md), "%s/new.md", t_tmpdir());
	{
		FILE *f = fopen(md, "w");
		T_ASSERT(f != NULL);
		fputs("After the move.\n", f);
		fclose(f);
	}
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", "perfectimagevideo.localhost",
		     "--title", "Moved", "--file", md, NULL), 0);
	T_CONTAINS(out, "Added post 7");
	free(out);
	T_EQ_INT(t_candor(&out, "site", "add", "--data", dir, "--host", "third.test", "--title",
		     "Third", NULL), 0);
	T_CONTAINS(out, "Added site 3");
	free(out);

	/* and back into a new SQLite file: the index is rebuilt there too */
	{
		char back[600];

		snprintf(back, sizeof(back), "sqlite:%s/back.db", t_tmpdir());
		T_EQ_INT(t_candor(&out, "db", "copy", "--data", dir, "--to", back, NULL), 0);
		free(out);
		t_server_start(&srv, dir);
		t_http(&r, srv.port, "GET", "perfectimagevideo.localhost", "/search?q=move",
		    NULL, NULL);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "Moved");
		t_resp_free(&r);
		t_http(&r, srv.port, "GET", "blog.perfectimagevideo.localhost",
		    "/search?q=tone", NULL, NULL);
		T_CONTAINS(r.body, "Why we record room tone");
		t_resp_free(&r);
		T_EQ_INT(t_server_stop(&srv), 0);
	}

	/* a non-empty target is refused, and nothing changes */
	T_EQ_INT(t_candor(&out, "db", "copy", "--data", dir, "--to", src_url, NULL), 1);
	T_CONTAINS(out, "not empty");
	free(out);
	/* a bad target is a usage error */
	T_EQ_INT(t_candor(&out, "db", "copy", "--data", dir, "--to", "mysql://x", NULL), 2);
	free(out);
	return 0;
}
