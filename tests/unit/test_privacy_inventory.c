/*
 * test_privacy_inventory: the inventory and the real schema agree, on both backends.
 * Every column whose name suggests personal data must be listed in the inventory (or be
 * on the short list of public fields below), every listed field must exist and be a
 * binary (sealed) column, and after adding a person with a known address no text or
 * binary column of any table holds it in plaintext.
 */
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"
#include "web/web.h"

/* Names that hold personal data; "username" is public by the policy (P6). */
static const char *const personal_words[] = {"email", "mail", "ip", "addr", "phone", "name",
    "card", "iban", "postal", "birth", "passport", "tax", NULL};
/* not personal data although the name says email: a yes/no flag; or made public by its
 * owner: a published feedback item's name, shown only when its author ticked "you may
 * publish this with my name" (like a username) */
static const char *const public_columns[] = {"people.username", "people.email_verified",
    "feedback.published_name", NULL};

/* The inventory row for table.column, or NULL. */
static const struct inventory_field *
listed(const char *table, const char *column)
{
	size_t i;

	for (i = 0; i < inventory_count; i++)
		if (strcmp(inventory[i].table, table) == 0 && strcmp(inventory[i].column, column) == 0)
			return &inventory[i];
	return NULL;
}

static bool
looks_personal(const char *table, const char *column)
{
	char full[256];
	size_t i;

	snprintf(full, sizeof(full), "%s.%s", table, column);
	for (i = 0; public_columns[i]; i++)
		if (strcmp(public_columns[i], full) == 0)
			return false;
	for (i = 0; personal_words[i]; i++) {
		const char *w = personal_words[i], *hit = strstr(column, w);
		/* "ip" must be a word of the column name (ip, ip_sealed, commenter_ip) */
		if (hit && strcmp(w, "ip") == 0 &&
		    !((hit == column || hit[-1] == '_') && (hit[2] == '\0' || hit[2] == '_')))
			continue;
		if (hit)
			return true;
	}
	return false;
}

int
main(void)
{
	static const struct store_stmt sqlite_columns = {"t_cols",
	    "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p"
	    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' ORDER BY m.name, p.cid"};
	static const struct store_stmt pg_columns = {"t_cols",
	    "SELECT table_name::text, column_name::text, data_type::text FROM"
	    " information_schema.columns WHERE table_schema = current_schema()"
	    " ORDER BY table_name, ordinal_position"};
	char url[600], msg[256], path[700];
	unsigned char key[64]; /* master key, then root key */
	struct config cfg;
	struct privacy *p = NULL;
	struct store *s;
	struct store_q *q;
	size_t i, ncols = 0, found_listed = 0;
	int64_t id;
	enum err e;
	int fd;

	T_ASSERT(sodium_init() >= 0);
	t_db_url(url, sizeof(url));
	if ((s = store_open(url, NULL, &e, msg, sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	T_EQ_INT(web_migrate(s), ERR_OK);
	config_defaults(&cfg);
	str_copy(cfg.data_dir, t_tmpdir(), sizeof(cfg.data_dir));
	snprintf(path, sizeof(path), "%s/master.key", cfg.data_dir);
	randombytes_buf(key, sizeof(key));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0 && write(fd, key, sizeof(key)) == (ssize_t)sizeof(key));
	close(fd);
	if (privacy_open(&cfg, &p, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("privacy_open: %s", msg);
	T_EQ_INT(people_add(p, s, "carol", "carol.secret@example.test", ROLE_MEMBER, true, &id,
		     msg, sizeof(msg)),
	    ERR_OK);

	q = store_prepare(s, strcmp(store_backend(s), "sqlite") == 0 ? &sqlite_columns
								      : &pg_columns);
	T_ASSERT(q != NULL);
	while (store_step(q) == STORE_ROW) {
		const char *table = store_col_text(q, 0), *column = store_col_text(q, 1);
		const char *type = store_col_text(q, 2);
		ncols++;
		const struct inventory_field *inv = listed(table, column);
		if (inv) {
			found_listed++;
			/* one-way secrets (password hashes) are text by nature; everything
			 * else listed must be sealed bytes */
			if (inv->cls != FIELD_SECRET && strcasecmp(type, "BLOB") != 0 &&
			    strcasecmp(type, "bytea") != 0)
				T_FAIL("%s.%s is in the inventory but stored as %s, not sealed bytes",
				    table, column, type);
		} else if (looks_personal(table, column)) {
			T_FAIL("%s.%s looks like personal data but is not in the inventory "
			       "(src/privacy/inventory.c)",
			    table, column);
		}
	}
	T_EQ_INT(store_done(q), ERR_OK);
	T_ASSERT(ncols > 20);
	T_EQ_INT(found_listed, inventory_count); /* every listed field exists */
	printf("%zu columns checked against %zu inventory fields\n", ncols, inventory_count);
	/* issue 5's personal fields are listed with their class */
	T_ASSERT(listed("account_logins", "ip_sealed") != NULL);
	T_EQ_INT(listed("account_logins", "ip_sealed")->cls, FIELD_IP);
	T_CONTAINS(listed("account_logins", "ip_sealed")->retention, "ip_days");
	T_ASSERT(listed("account_tokens", "new_email_sealed") != NULL);
	T_EQ_INT(listed("account_tokens", "new_email_sealed")->cls, FIELD_EMAIL);

	/* the cookies (P18): at most three, exactly these names (web/web_int.h), each
	 * with its purpose, lifetime and when it is set */
	T_EQ_INT(inventory_cookies_count, 3);
	T_EQ_STR(inventory_cookies[0].name, "__Host-candor_session");
	T_CONTAINS(inventory_cookies[0].when, "candor_session");
	T_EQ_STR(inventory_cookies[1].name, "candor_visitor");
	T_CONTAINS(inventory_cookies[1].purpose, "Do Not Track");
	T_EQ_STR(inventory_cookies[2].name, "candor_prefs");
	for (i = 0; i < inventory_cookies_count; i++)
		T_ASSERT(inventory_cookies[i].purpose[0] && inventory_cookies[i].lifetime[0] &&
		    inventory_cookies[i].when[0]);

	/* no table holds the address in plaintext: copy every table's rows out through the
	 * db-copy descriptors and look at each value */
	{
		const struct store_table *const lists[] = {people_tables, vault_tables, audit_tables};
		const size_t counts[] = {people_tables_count, vault_tables_count, audit_tables_count};
		size_t l, t, c;
		for (l = 0; l < 3; l++)
			for (t = 0; t < counts[l]; t++) {
				const struct store_table *tb = &lists[l][t];
				q = store_prepare(s, tb->select_all);
				T_ASSERT(q != NULL);
				while (store_step(q) == STORE_ROW)
					for (c = 0; c < strlen(tb->types); c++) {
						size_t n = 0;
						const char *v = tb->types[c] == 'b'
						    ? store_col_blob(q, (int)c, &n)
						    : store_col_text(q, (int)c);
						if (tb->types[c] != 'b' && v)
							n = strlen(v);
						for (i = 0; v && i + 6 <= n; i++)
							if (memcmp(v + i, "secret", 6) == 0)
								T_FAIL("%s column %zu holds the address",
								    tb->name, c);
					}
				T_EQ_INT(store_done(q), ERR_OK);
			}
	}
	privacy_free(p);
	store_close(s);
	return 0;
}
