/*
 * it_legal: the disclosure register end to end through the real binary (P14, B7). A
 * fresh install's /transparency says "No requests received." and the privacy page links
 * to it; `candor legal request add|approve|refuse|export|list` behave and fail as
 * documented (owner only, nothing exported before approval, the export file created
 * 0600 and never over an existing file); the audit log stays intact and holds the
 * disclosure; and the running server's /transparency shows the new counts, aggregates
 * only.
 */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define PIV "perfectimagevideo.localhost"
#define BLOG "blog.perfectimagevideo.localhost"
#define REQUESTER "Metropolitan Court, case 4711-B"

/* GETs /transparency on host until its body contains want (the response cache learns
 * of the CLI's writes through the store's generation); fails after 5 s. */
static void
transparency_until(int port, const char *host, const char *want, struct t_resp *r)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		t_http(r, port, "GET", host, "/transparency", NULL, NULL);
		T_EQ_INT(r->status, 200);
		if (strstr(r->body, want))
			return;
		t_resp_free(r);
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	T_FAIL("/transparency on %s never showed %s", host, want);
}

int
main(void)
{
	const char *dir = t_datadir(true), *tmp = t_tmpdir();
	char *out = NULL, *bundle, file[600], year_half[32], row[200];
	struct t_server srv;
	struct t_resp r;
	struct stat st;
	struct tm tm;
	time_t now = time(NULL);

	/* a fresh install: nothing to report, on every site, and linked from /privacy */
	t_server_start(&srv, dir);
	t_http(&r, srv.port, "GET", PIV, "/transparency", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<h1>Transparency report</h1>");
	T_CONTAINS(r.body, "No requests received.");
	T_NOT_CONTAINS(r.body, "<table>");
	t_resp_free(&r);
	t_http(&r, srv.port, "GET", BLOG, "/transparency", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "No requests received.");
	t_resp_free(&r);
	t_http(&r, srv.port, "GET", PIV, "/privacy", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<a href=\"/transparency\">transparency report</a>");
	t_resp_free(&r);

	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "olivia", "--email",
		     "olivia@example.test", "--role", "owner", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     "alice@example.test", "--role", "member", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "sam", "--email",
		     "sam@example.test", "--role", "staff", NULL), 0);
	free(out);

	/* requests: validated, about an existing account */
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "curiosity",
		     "--requester", REQUESTER, "--subject", "alice", "--scope", "email", NULL), 2);
	T_CONTAINS(out, "--basis must be");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "subpoena",
		     "--requester", REQUESTER, "--subject", "nobody", "--scope", "email", NULL), 1);
	T_CONTAINS(out, "no account is called nobody");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "subpoena",
		     "--requester", "two\nlines", "--subject", "alice", "--scope", "email", NULL), 2);
	T_CONTAINS(out, "requester");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "subpoena",
		     "--requester", REQUESTER, "--subject", "alice", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "court-order",
		     "--requester", REQUESTER, "--subject", "alice", "--scope",
		     "account and email address", NULL), 0);
	T_CONTAINS(out, "Recorded request 1 (court-order) about alice");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "pending");
	T_CONTAINS(out, REQUESTER);
	free(out);

	/* nothing leaves before an owner approves */
	snprintf(file, sizeof(file), "%s/request-1.json", tmp);
	T_EQ_INT(t_candor(&out, "legal", "export", "--data", dir, "--id", "1", "--out", file,
		     NULL), 1);
	T_CONTAINS(out, "not approved");
	free(out);
	T_ASSERT(access(file, F_OK) != 0);
	T_EQ_INT(t_candor(&out, "legal", "approve", "--data", dir, "--id", "1", "--by", "sam",
		     NULL), 1);
	T_CONTAINS(out, "only an owner may approve");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "approve", "--data", dir, "--id", "1", "--by", "alice",
		     NULL), 1);
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "approve", "--data", dir, "--id", "x1", "--by", "olivia",
		     NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "approve", "--data", dir, "--id", "9", "--by", "olivia",
		     NULL), 1);
	T_CONTAINS(out, "there is no request 9");
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "approve", "--data", dir, "--id", "1", "--by", "olivia",
		     NULL), 0);
	T_CONTAINS(out, "Request 1 approved by olivia");
	free(out);

	/* the export: a new 0600 file with the subject's data and the request */
	T_EQ_INT(t_candor(&out, "legal", "export", "--data", dir, "--id", "1", "--out", file,
		     NULL), 0);
	T_NOT_CONTAINS(out, "alice@example.test");
	free(out);
	T_EQ_INT(stat(file, &st), 0);
	T_EQ_INT(st.st_mode & 0777, 0600);
	bundle = t_read_file(file, NULL);
	T_CONTAINS(bundle, "\"email\": \"alice@example.test\"");
	T_CONTAINS(bundle, "\"basis\": \"court-order\"");
	T_CONTAINS(bundle, REQUESTER);
	/* never over an existing file, and that file is left alone */
	T_EQ_INT(t_candor(&out, "legal", "export", "--data", dir, "--id", "1", "--out", file,
		     NULL), 1);
	free(out);
	out = t_read_file(file, NULL);
	T_EQ_STR(out, bundle);
	free(out);
	free(bundle);

	/* a second request, refused: it counts as received, never as answered */
	T_EQ_INT(t_candor(&out, "legal", "request", "add", "--data", dir, "--basis", "government",
		     "--requester", "Ministry of Examples", "--subject", "alice", "--scope", "email",
		     NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "refuse", "--data", dir, "--id", "2", "--by", "sam",
		     NULL), 1);
	free(out);
	T_EQ_INT(t_candor(&out, "legal", "refuse", "--data", dir, "--id", "2", "--by", "olivia",
		     NULL), 0);
	free(out);
	snprintf(file, sizeof(file), "%s/request-2.json", tmp);
	T_EQ_INT(t_candor(&out, "legal", "export", "--data", dir, "--id", "2", "--out", file,
		     NULL), 1);
	free(out);
	T_ASSERT(access(file, F_OK) != 0);
	T_EQ_INT(t_candor(&out, "legal", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "refused");
	T_CONTAINS(out, "answered");
	free(out);

	/* the audit log holds the disclosure and is intact */
	T_EQ_INT(t_candor(&out, "audit", "show", "--data", dir, NULL), 0);
	T_CONTAINS(out, "disclose");
	T_CONTAINS(out, "disclosure #1 (court-order): people.email_sealed#");
	T_NOT_CONTAINS(out, "alice@example.test");
	free(out);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	free(out);

	/* the running server's report: counts only, in this half-year, on every site */
	gmtime_r(&now, &tm);
	snprintf(year_half, sizeof(year_half), "%d H%d", tm.tm_year + 1900, 1 + (tm.tm_mon >= 6));
	snprintf(row, sizeof(row), "<td>Court order</td><td>1</td><td>1</td>");
	transparency_until(srv.port, PIV, row, &r);
	T_CONTAINS(r.body, "<td>Government request</td><td>1</td><td>0</td>");
	T_CONTAINS(r.body, year_half);
	T_NOT_CONTAINS(r.body, "No requests received.");
	T_NOT_CONTAINS(r.body, REQUESTER);
	T_NOT_CONTAINS(r.body, "Ministry");
	T_NOT_CONTAINS(r.body, "alice");
	t_resp_free(&r);
	transparency_until(srv.port, BLOG, row, &r);
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
