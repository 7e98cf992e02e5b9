/*
 * it_rights: the subject-rights and retention commands of the real binary, on both
 * backends. `user export` writes JSON that parses and holds the person's email (to a new
 * file of mode 0600, or to stdout) and refuses to overwrite a file; `user erase` refuses
 * without --yes and afterwards `user list` no longer shows the person and a second
 * export finds nobody; `retention run` prints the count per class, erasing an unverified
 * account made 8 days old, and `audit verify` still passes.
 */
#include <jansson.h>
#include <sys/stat.h>

#include "core/core.h"
#include "store/store.h"
#include "testlib.h"

#define EMAIL "alice@example.test"

/* Makes dir's account username look days old, through dir's own database. */
static void
age_account(const char *dir, const char *username, int days)
{
	static const struct store_stmt age = {"t_age",
	    "UPDATE people SET created_at = ? WHERE username = ?"};
	struct config cfg;
	struct store *s;
	struct store_q *q;
	char msg[512], path[1200], url[1300];
	enum err e;

	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	if (strncmp(cfg.database, "sqlite:", 7) == 0) {
		config_path(&cfg, cfg.database + 7, path, sizeof(path));
		snprintf(url, sizeof(url), "sqlite:%s", path);
	} else {
		str_copy(url, cfg.database, sizeof(url));
	}
	if ((s = store_open(url, NULL, &e, msg, sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	T_ASSERT((q = store_prepare(s, &age)) != NULL);
	store_bind_int(q, 1, time_now() - (int64_t)days * 86400);
	store_bind_text(q, 2, username);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	store_close(s);
}

int
main(void)
{
	const char *dir = t_datadir(false);
	char *out = NULL, *text, path[600];
	json_error_t jerr;
	json_t *root;
	struct stat st;
	size_t len;

	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     EMAIL, "--role", "member", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "bob", "--email",
		     "bob@example.test", "--role", "member", NULL), 0);
	free(out);

	/* export to a new file, mode 0600, JSON with the email */
	snprintf(path, sizeof(path), "%s/alice.json", t_tmpdir());
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "alice", "--out",
		     path, NULL), 0);
	T_NOT_CONTAINS(out, EMAIL); /* only the file holds it */
	free(out);
	T_EQ_INT(stat(path, &st), 0);
	T_EQ_INT(st.st_mode & 0777, 0600);
	T_ASSERT((text = t_read_file(path, &len)) != NULL);
	if ((root = json_loadb(text, len, 0, &jerr)) == NULL)
		T_FAIL("export is not JSON: %s", jerr.text);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(root, "account"), "email")),
	    EMAIL);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(root, "account"), "username")),
	    "alice");
	T_ASSERT(json_array_size(json_object_get(root, "audit")) >= 2);
	json_decref(root);
	free(text);
	/* never over an existing file */
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "alice", "--out",
		     path, NULL), 1);
	T_CONTAINS(out, "exists");
	free(out);
	/* to stdout */
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "alice", NULL), 0);
	T_ASSERT((root = json_loads(out, 0, &jerr)) != NULL);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(root, "account"), "email")),
	    EMAIL);
	json_decref(root);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "nobody", NULL), 1);
	free(out);

	/* erase needs --yes */
	T_EQ_INT(t_candor(&out, "user", "erase", "--data", dir, "--username", "alice", NULL), 2);
	T_CONTAINS(out, "--yes");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "alice");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "erase", "--data", dir, "--username", "alice", "--yes",
		     NULL), 0);
	T_CONTAINS(out, "Erased alice");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "list", "--data", dir, NULL), 0);
	T_NOT_CONTAINS(out, "alice");
	T_CONTAINS(out, "bob");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "alice", NULL), 1);
	T_NOT_CONTAINS(out, EMAIL);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "erase", "--data", dir, "--username", "alice", "--yes",
		     NULL), 1);
	free(out);

	/* retention: an unverified account 8 days old goes, one 6 days old stays */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "olga", "--email",
		     "olga@example.test", "--role", "member", "--unverified", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "yann", "--email",
		     "yann@example.test", "--role", "member", "--unverified", NULL), 0);
	free(out);
	age_account(dir, "olga", 8);
	age_account(dir, "yann", 6);
	T_EQ_INT(t_candor(&out, "retention", "run", "--data", dir, NULL), 0);
	T_CONTAINS(out, "unverified accounts");
	T_CONTAINS(out, "7 days");
	T_CONTAINS(out, " 1\n");
	free(out);
	T_EQ_INT(t_candor(&out, "retention", "run", "--data", dir, NULL), 0);
	T_CONTAINS(out, " 0\n");
	free(out);
	T_EQ_INT(t_candor(&out, "user", "list", "--data", dir, NULL), 0);
	T_NOT_CONTAINS(out, "olga");
	T_CONTAINS(out, "yann");
	T_CONTAINS(out, "bob");
	free(out);

	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	free(out);
	printf("it_rights (%s): ok\n", t_backend());
	return 0;
}
