/*
 * test_privacy_rotate_live: `candor keys rotate` needs no downtime for reads. A server
 * process holds the old master key in memory; another process rotates the key. The
 * server's next read notices the new key file and keeps working, and a data key it
 * creates afterwards is wrapped under the new master, so every process can open it.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"

static void
open_field(struct privacy *p, struct store *s, int64_t person, const char *subject,
    const char *want)
{
	static const struct store_stmt get = {"t_email", "SELECT email_sealed FROM people WHERE id = ?"};
	struct gate_actor self = {person, false};
	struct gate_field f = {subject, person, 0, FIELD_EMAIL, "people", "email_sealed", person,
	    NULL, 0};
	struct buf sealed, plain;
	struct store_q *q = store_prepare(s, &get);
	const void *b;

	buf_init(&sealed);
	buf_init(&plain);
	T_ASSERT(q != NULL);
	store_bind_int(q, 1, person);
	T_EQ_INT(store_step(q), STORE_ROW);
	b = store_col_blob(q, 0, &f.sealed_len);
	buf_append(&sealed, b, f.sealed_len);
	T_EQ_INT(store_done(q), ERR_OK);
	f.sealed = sealed.data;
	T_EQ_INT(gate_read(p, s, &self, PURPOSE_SELF, &f, &plain), ERR_OK);
	T_EQ_STR(plain.data, want);
	buf_free(&sealed);
	buf_free(&plain);
}

int
main(void)
{
	struct config cfg;
	struct store *s1, *s2;
	struct privacy *server, *rotator;
	char kept[1200], msg[256];
	int64_t alice = 0, bob = 0;

	t_privacy_config(&cfg, NULL);
	s1 = t_privacy_store(&cfg);
	s2 = t_privacy_store(&cfg);
	server = t_privacy_open(&cfg);
	T_EQ_INT(people_add(server, s1, "alice", "alice@example.test", ROLE_MEMBER, true, &alice,
		     msg, sizeof(msg)),
	    ERR_OK);

	/* another process rotates the master key (a file system timestamp must move) */
	usleep(20000);
	rotator = t_privacy_open(&cfg);
	if (privacy_rotate_master(rotator, s2, &cfg, kept, sizeof(kept), msg, sizeof(msg)) != ERR_OK)
		T_FAIL("rotate: %s", msg);
	T_ASSERT(access(kept, F_OK) == 0);

	/* the server still reads, with the key it has never been told about */
	open_field(server, s1, alice, "user:1", "alice@example.test");
	/* and wraps new data keys under the new master: the rotator can open them */
	T_EQ_INT(people_add(server, s1, "bobby", "bob@example.test", ROLE_MEMBER, true, &bob, msg,
		     sizeof(msg)),
	    ERR_OK);
	open_field(rotator, s2, bob, "user:2", "bob@example.test");
	open_field(server, s1, bob, "user:2", "bob@example.test");

	privacy_free(server);
	privacy_free(rotator);
	store_close(s1);
	store_close(s2);
	return 0;
}
