/*
 * audit: the append-only, hash-chained record of every decision about personal data
 * (B9; SECURITY.md, ASVS 7.3.3 and 8.3.5).
 *
 * Tables:
 *   audit_log   one row per entry, seq = 1, 2, 3 ... without gaps. hash = BLAKE2b-256
 *               keyed by audit_key over prev_hash || the canonical encoding below;
 *               prev_hash is the previous entry's hash (32 zero bytes for entry 1).
 *   audit_head  exactly one row (id 1): the last seq and its hash (NULL while empty).
 *               Appenders serialise on it: `UPDATE ... SET seq = seq + 1 RETURNING`
 *               takes its row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds
 *               the only write lock.
 *
 * Canonical encoding of an entry (what the hash covers after prev_hash):
 *     seq (int64, big-endian) || at (int64, big-endian) ||
 *     for actor, actor_role, actor_org, actor_country, subject, field_class, purpose,
 *     decision, detail in that order: length (uint32, big-endian) || bytes
 * The lengths make the encoding unambiguous; seq makes an entry valid only in its place.
 *
 * Checkpoints (DIR/audit.checkpoints, outside the database), one line each:
 *     COUNT HEADHASH TIME SIGNATURE\n
 * COUNT entries in decimal, HEADHASH the hash of entry COUNT (64 lowercase hex digits;
 * zeros for an empty log), TIME seconds since the epoch, SIGNATURE the Ed25519 signature
 * (128 hex digits) by DIR/audit.key of the bytes "COUNT HEADHASH TIME" exactly as written.
 * Without the audit key nobody can recompute the chain; without the signing key nobody
 * can forge a checkpoint, so deleting the tail or rebuilding the log from scratch is
 * detected by any checkpoint taken before.
 *
 * Verification (audit_verify) reads the head first and checks entries 1..head only, so a
 * live server appending meanwhile does not make an intact log look broken.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privacy/privacy_int.h"

#define AUDIT_HASH_BYTES 32
#define AUDIT_PAGE 500
#define AUDIT_NFIELDS 9
#define AUDIT_MAX_CHECKPOINTS 1000000

static const struct store_migration audit_migrations[] = {
	{1, "CREATE TABLE audit_log ("
	    " seq BIGINT PRIMARY KEY,"
	    " at BIGINT NOT NULL,"
	    " actor TEXT NOT NULL,"
	    " actor_role TEXT NOT NULL,"
	    " actor_org TEXT NOT NULL,"
	    " actor_country TEXT NOT NULL,"
	    " subject TEXT NOT NULL,"
	    " field_class TEXT NOT NULL,"
	    " purpose TEXT NOT NULL,"
	    " decision TEXT NOT NULL,"
	    " detail TEXT NOT NULL,"
	    " prev_hash {{BLOB}} NOT NULL,"
	    " hash {{BLOB}} NOT NULL);"
	    "CREATE INDEX audit_log_subject ON audit_log (subject, seq);"
	    "CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash {{BLOB}});"
	    "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, NULL)"},
};

#define AUDIT_COLS                                                                         \
	"seq, at, actor, actor_role, actor_org, actor_country, subject, field_class, purpose," \
	" decision, detail"

enum {
	SQL_AUDIT_BUMP,
	SQL_AUDIT_INSERT,
	SQL_AUDIT_HEAD_SET,
	SQL_AUDIT_HEAD_GET,
	SQL_AUDIT_PAGE,
	SQL_AUDIT_LIST_ALL,
	SQL_AUDIT_LIST_SUBJECT,
	SQL_AUDIT__MAX
};

static const struct store_stmt audit_sql[SQL_AUDIT__MAX] = {
	[SQL_AUDIT_BUMP] = {"audit_bump",
	    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"},
	[SQL_AUDIT_INSERT] = {"audit_insert",
	    "INSERT INTO audit_log (" AUDIT_COLS ", prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
	[SQL_AUDIT_HEAD_SET] = {"audit_head_set", "UPDATE audit_head SET hash = ? WHERE id = 1"},
	[SQL_AUDIT_HEAD_GET] = {"audit_head_get", "SELECT seq, hash FROM audit_head WHERE id = 1"},
	[SQL_AUDIT_PAGE] = {"audit_page",
	    "SELECT " AUDIT_COLS ", prev_hash, hash FROM audit_log WHERE seq > ? AND seq <= ?"
	    " ORDER BY seq LIMIT 500"},
	[SQL_AUDIT_LIST_ALL] = {"audit_list_all",
	    "SELECT " AUDIT_COLS " FROM audit_log ORDER BY seq"},
	[SQL_AUDIT_LIST_SUBJECT] = {"audit_list_subject",
	    "SELECT " AUDIT_COLS " FROM audit_log WHERE subject = ? ORDER BY seq"},
};

static const struct store_stmt audit_copy_sql[] = {
	{"copy_audit_head_select", "SELECT id, seq, hash FROM audit_head ORDER BY id"},
	/* the migration already made the head row: the copy overwrites it */
	{"copy_audit_head_insert",
	    "INSERT INTO audit_head (id, seq, hash) VALUES (?, ?, ?)"
	    " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"},
	{"copy_audit_log_select",
	    "SELECT " AUDIT_COLS ", prev_hash, hash FROM audit_log ORDER BY seq"},
	{"copy_audit_log_insert",
	    "INSERT INTO audit_log (" AUDIT_COLS ", prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table audit_tables[] = {
	{"audit_head", "iib", &audit_copy_sql[0], &audit_copy_sql[1], NULL},
	{"audit_log", "iitttttttttbb", &audit_copy_sql[2], &audit_copy_sql[3], NULL},
};
const size_t audit_tables_count = COUNTOF(audit_tables);

enum err
audit_migrate(struct store *s)
{
	return store_migrate(s, "audit", audit_migrations, COUNTOF(audit_migrations));
}

static void
audit_be(unsigned char *out, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		out[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* The entry's hash (see the file comment). fields are the nine strings in order. */
static void
audit_hash(const struct privacy *p, const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq,
    int64_t at, const char *const fields[AUDIT_NFIELDS], unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_state st;
	unsigned char num[8];
	size_t len;
	int i;

	crypto_generichash_init(&st, p->audit_key, sizeof(p->audit_key), AUDIT_HASH_BYTES);
	crypto_generichash_update(&st, prev, AUDIT_HASH_BYTES);
	audit_be(num, (uint64_t)seq, 8);
	crypto_generichash_update(&st, num, 8);
	audit_be(num, (uint64_t)at, 8);
	crypto_generichash_update(&st, num, 8);
	for (i = 0; i < AUDIT_NFIELDS; i++) {
		len = strlen(fields[i]);
		audit_be(num, (uint64_t)len, 4);
		crypto_generichash_update(&st, num, 4);
		crypto_generichash_update(&st, (const unsigned char *)fields[i], len);
	}
	crypto_generichash_final(&st, out, AUDIT_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/*
 * Appends e as the next entry: inside the caller's transaction when one is open (a
 * failure here then dooms it: a read that cannot be audited does not happen), otherwise
 * in its own. NULL strings count as "". ERR_INVAL when actor or decision is empty or a
 * field is longer than LIMIT_AUDIT_FIELD bytes.
 */
enum err
audit_append(struct privacy *p, struct store *s, const struct audit_entry *e)
{
	const char *f[AUDIT_NFIELDS] = {e->actor, e->actor_role, e->actor_org, e->actor_country,
	    e->subject, e->field_class, e->purpose, e->decision, e->detail};
	unsigned char prev[AUDIT_HASH_BYTES] = {0}, hash[AUDIT_HASH_BYTES];
	struct store_q *q;
	const void *h;
	size_t n = 0;
	int64_t seq = 0, at = time_now();
	enum err err;
	int i;

	for (i = 0; i < AUDIT_NFIELDS; i++) {
		if (f[i] == NULL)
			f[i] = "";
		if (strlen(f[i]) > LIMIT_AUDIT_FIELD)
			return ERR_INVAL;
	}
	if (f[0][0] == '\0' || f[7][0] == '\0')
		return ERR_INVAL;
	if ((err = store_begin(s)) != ERR_OK)
		return err;
	if ((q = store_prepare(s, &audit_sql[SQL_AUDIT_BUMP])) == NULL) {
		err = store_done(NULL);
		goto fail;
	}
	err = ERR_IO; /* no head row: the schema is broken */
	if (store_step(q) == STORE_ROW) {
		seq = store_col_int(q, 0);
		h = store_col_null(q, 1) ? NULL : store_col_blob(q, 1, &n);
		err = ERR_OK;
		if (h != NULL && n == AUDIT_HASH_BYTES)
			memcpy(prev, h, AUDIT_HASH_BYTES);
		else if (h != NULL || seq != 1)
			err = ERR_CONFLICT; /* the head is damaged; verify will say where */
	}
	if (store_done(q) != ERR_OK && err == ERR_OK)
		err = ERR_IO;
	if (err != ERR_OK)
		goto fail;
	audit_hash(p, prev, seq, at, f, hash);
	if ((q = store_prepare(s, &audit_sql[SQL_AUDIT_INSERT])) == NULL) {
		err = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, seq);
	store_bind_int(q, 2, at);
	for (i = 0; i < AUDIT_NFIELDS; i++)
		store_bind_text(q, 3 + i, f[i]);
	store_bind_blob(q, 12, prev, AUDIT_HASH_BYTES);
	store_bind_blob(q, 13, hash, AUDIT_HASH_BYTES);
	store_step(q);
	if ((err = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &audit_sql[SQL_AUDIT_HEAD_SET])) == NULL) {
		err = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, hash, AUDIT_HASH_BYTES);
	store_step(q);
	if ((err = store_done(q)) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return err;
}

/* ---- checkpoints ---- */

struct audit_checkpoint {
	int64_t count;
	int64_t at;
	unsigned char hash[AUDIT_HASH_BYTES];
};

struct audit_checkpoints {
	struct audit_checkpoint *v;
	size_t n, cap;
};

static int
audit_cp_cmp(const void *a, const void *b)
{
	const struct audit_checkpoint *x = a, *y = b;

	return x->count < y->count ? -1 : x->count > y->count;
}

static bool
audit_hex_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * Parses and checks the signature of one checkpoint line (without its newline) into cp.
 * ERR_INVAL when malformed, ERR_CRYPTO when the signature does not verify.
 */
static enum err
audit_cp_parse(const struct privacy *p, char *line, struct audit_checkpoint *cp)
{
	unsigned char sig[crypto_sign_BYTES];
	char *f[4], *save = NULL, *sp;
	long long v;
	size_t signed_len;
	int i;

	if ((sp = strrchr(line, ' ')) == NULL)
		return ERR_INVAL;
	signed_len = (size_t)(sp - line);
	for (i = 0; i < 4; i++) {
		f[i] = strtok_r(i == 0 ? line : NULL, " ", &save);
		if (f[i] == NULL)
			return ERR_INVAL;
	}
	if (strtok_r(NULL, " ", &save) != NULL || strlen(f[1]) != 2 * AUDIT_HASH_BYTES ||
	    !audit_hex_ok(f[1], strlen(f[1])) || strlen(f[3]) != 2 * crypto_sign_BYTES ||
	    !audit_hex_ok(f[3], strlen(f[3])))
		return ERR_INVAL;
	if (strnum(f[0], 0, INT64_MAX, &v) != ERR_OK)
		return ERR_INVAL;
	cp->count = v;
	if (strnum(f[2], 0, INT64_MAX, &v) != ERR_OK)
		return ERR_INVAL;
	cp->at = v;
	if (sodium_hex2bin(cp->hash, sizeof(cp->hash), f[1], strlen(f[1]), NULL, NULL, NULL) !=
		0 ||
	    sodium_hex2bin(sig, sizeof(sig), f[3], strlen(f[3]), NULL, NULL, NULL) != 0)
		return ERR_INVAL;
	/* strtok_r wrote NULs between the first three fields: put the spaces back */
	f[1][-1] = ' ';
	f[2][-1] = ' ';
	if (crypto_sign_verify_detached(sig, (const unsigned char *)line, signed_len,
		p->sign_pk) != 0)
		return ERR_CRYPTO;
	return ERR_OK;
}

/*
 * Reads every checkpoint of DIR/audit.checkpoints (none when the file is absent), sorted
 * by count. On a damaged or forged line: ERR_CONFLICT and a sentence in msg.
 */
static enum err
audit_cp_load(const struct privacy *p, struct audit_checkpoints *cps, char *msg,
    size_t msgsize)
{
	char line[LIMIT_AUDIT_CHECKPOINT_LINE + 2];
	struct audit_checkpoint cp, *nv;
	size_t lineno = 0, len;
	enum err e = ERR_OK;
	FILE *f;

	memset(cps, 0, sizeof(*cps));
	if ((f = fopen(p->checkpoints, "re")) == NULL) {
		if (errno == ENOENT)
			return ERR_OK;
		snprintf(msg, msgsize, "cannot read %s: %s", p->checkpoints, strerror(errno));
		return ERR_IO;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			snprintf(msg, msgsize, "line %zu of %s is damaged (cut short or too long)",
			    lineno, p->checkpoints);
			e = ERR_CONFLICT;
			goto out;
		}
		line[len - 1] = '\0';
		e = audit_cp_parse(p, line, &cp);
		if (e != ERR_OK) {
			snprintf(msg, msgsize,
			    e == ERR_CRYPTO ? "line %zu of %s has an invalid signature: it was not "
					      "written with this installation's audit key"
					    : "line %zu of %s is damaged",
			    lineno, p->checkpoints);
			e = ERR_CONFLICT;
			goto out;
		}
		if (cps->n == cps->cap) {
			if (cps->cap >= AUDIT_MAX_CHECKPOINTS) {
				snprintf(msg, msgsize, "%s has too many lines", p->checkpoints);
				e = ERR_TOOBIG;
				goto out;
			}
			cps->cap = cps->cap ? cps->cap * 2 : 64;
			if ((nv = realloc(cps->v, cps->cap * sizeof(*nv))) == NULL) {
				e = ERR_NOMEM;
				goto out;
			}
			cps->v = nv;
		}
		cps->v[cps->n++] = cp;
	}
	if (ferror(f)) {
		snprintf(msg, msgsize, "cannot read %s", p->checkpoints);
		e = ERR_IO;
		goto out;
	}
	qsort(cps->v, cps->n, sizeof(*cps->v), audit_cp_cmp);
out:
	fclose(f);
	if (e != ERR_OK) {
		free(cps->v);
		memset(cps, 0, sizeof(*cps));
	}
	return e;
}

/* ---- verification ---- */

/* What a walk found: entries checked and the hash of the last one. */
struct audit_state {
	int64_t count;
	unsigned char last[AUDIT_HASH_BYTES];
	size_t ncheckpoints;
};

/* Reads the head row: its seq and hash (zeros when NULL). */
static enum err
audit_head(struct store *s, int64_t *seq, unsigned char hash[AUDIT_HASH_BYTES], bool *null)
{
	struct store_q *q;
	const void *h;
	size_t n = 0;
	enum err e = ERR_NOTFOUND, de;

	memset(hash, 0, AUDIT_HASH_BYTES);
	if ((q = store_prepare(s, &audit_sql[SQL_AUDIT_HEAD_GET])) == NULL)
		return store_done(NULL);
	if (store_step(q) == STORE_ROW) {
		*seq = store_col_int(q, 0);
		*null = store_col_null(q, 1);
		h = *null ? NULL : store_col_blob(q, 1, &n);
		e = ERR_OK;
		if (h != NULL && n == AUDIT_HASH_BYTES)
			memcpy(hash, h, AUDIT_HASH_BYTES);
		else if (!*null)
			e = ERR_CRYPTO; /* a head hash of the wrong size */
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

#define AUDIT_BAD(seqno, ...)                                                              \
	do {                                                                               \
		*bad = (seqno);                                                            \
		snprintf(msg, msgsize, __VA_ARGS__);                                       \
		e = ERR_CONFLICT;                                                          \
	} while (0)

/*
 * Checks entries 1..head in pages of AUDIT_PAGE: seq continuity, each hash over its
 * stored prev_hash and fields, each prev_hash against the previous entry's hash, and the
 * checkpoints whose count is reached. Then the head row and the checkpoints beyond the
 * end. On the first problem ERR_CONFLICT, *bad and a sentence in msg.
 */
static enum err
audit_walk(struct privacy *p, struct store *s, struct audit_state *st, int64_t *bad,
    char *msg, size_t msgsize)
{
	unsigned char prev[AUDIT_HASH_BYTES] = {0}, calc[AUDIT_HASH_BYTES];
	unsigned char head_hash[AUDIT_HASH_BYTES];
	const char *f[AUDIT_NFIELDS];
	struct audit_checkpoints cps;
	const unsigned char *ph, *h;
	struct store_q *q;
	char date[21];
	int64_t head = 0, seq, expected = 1, rows;
	size_t pn, hn, ci = 0;
	bool head_null = true;
	enum err e, de;
	int i;

	memset(st, 0, sizeof(*st));
	*bad = 0;
	if ((e = audit_cp_load(p, &cps, msg, msgsize)) != ERR_OK)
		return e;
	st->ncheckpoints = cps.n;
	if ((e = audit_head(s, &head, head_hash, &head_null)) != ERR_OK) {
		if (e == ERR_NOTFOUND || e == ERR_CRYPTO) {
			snprintf(msg, msgsize, "the audit log's head row is %s",
			    e == ERR_NOTFOUND ? "missing" : "damaged");
			e = ERR_CONFLICT;
		}
		goto out;
	}
	/* checkpoints of an empty log carry the zero hash */
	while (ci < cps.n && cps.v[ci].count == 0) {
		if (!sodium_is_zero(cps.v[ci].hash, AUDIT_HASH_BYTES)) {
			snprintf(msg, msgsize, "a signed checkpoint of an empty log has a hash");
			e = ERR_CONFLICT;
			goto out;
		}
		ci++;
	}
	do {
		rows = 0;
		if ((q = store_prepare(s, &audit_sql[SQL_AUDIT_PAGE])) == NULL) {
			e = store_done(NULL);
			goto out;
		}
		store_bind_int(q, 1, expected - 1);
		store_bind_int(q, 2, head);
		while (e == ERR_OK && store_step(q) == STORE_ROW) {
			rows++;
			seq = store_col_int(q, 0);
			if (seq != expected) {
				AUDIT_BAD(expected, "entry %lld is missing", (long long)expected);
				break;
			}
			for (i = 0; i < AUDIT_NFIELDS; i++)
				f[i] = store_col_text(q, 2 + i);
			ph = store_col_blob(q, 11, &pn);
			h = store_col_blob(q, 12, &hn);
			if (ph == NULL || h == NULL || pn != AUDIT_HASH_BYTES ||
			    hn != AUDIT_HASH_BYTES) {
				AUDIT_BAD(seq, "entry %lld was altered", (long long)seq);
				break;
			}
			audit_hash(p, ph, seq, store_col_int(q, 1), f, calc);
			if (sodium_memcmp(calc, h, AUDIT_HASH_BYTES) != 0) {
				AUDIT_BAD(seq, "entry %lld was altered", (long long)seq);
				break;
			}
			if (sodium_memcmp(ph, prev, AUDIT_HASH_BYTES) != 0) {
				AUDIT_BAD(seq,
				    "entry %lld is out of place: it does not follow entry %lld",
				    (long long)seq, (long long)(seq - 1));
				break;
			}
			for (; ci < cps.n && cps.v[ci].count == seq; ci++) {
				if (sodium_memcmp(cps.v[ci].hash, h, AUDIT_HASH_BYTES) != 0) {
					time_rfc3339(cps.v[ci].at, date);
					AUDIT_BAD(seq,
					    "entry %lld differs from the one the signed checkpoint "
					    "of %s covers",
					    (long long)seq, date);
					break;
				}
			}
			memcpy(prev, h, AUDIT_HASH_BYTES);
			expected++;
		}
		if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
			e = de;
		if (e != ERR_OK)
			goto out;
	} while (rows == AUDIT_PAGE);
	st->count = expected - 1;
	memcpy(st->last, prev, AUDIT_HASH_BYTES);
	if (head > st->count) {
		AUDIT_BAD(st->count + 1,
		    st->count + 1 == head ? "entry %lld is missing"
					  : "entry %lld is missing (the log ends at %lld but "
					    "its head records %lld entries)",
		    (long long)(st->count + 1), (long long)st->count, (long long)head);
		goto out;
	}
	if (head < 0 || (head == 0) != head_null ||
	    sodium_memcmp(head_hash, st->last, AUDIT_HASH_BYTES) != 0) {
		AUDIT_BAD(head > 0 ? head : 1, "entry %lld does not match the log's head row",
		    (long long)(head > 0 ? head : 1));
		goto out;
	}
	if (cps.n > 0 && cps.v[cps.n - 1].count > st->count) {
		time_rfc3339(cps.v[cps.n - 1].at, date);
		AUDIT_BAD(st->count + 1,
		    "the log ends at %lld but a signed checkpoint of %s covers %lld entries",
		    (long long)st->count, date, (long long)cps.v[cps.n - 1].count);
		goto out;
	}
out:
	free(cps.v);
	return e;
}

/*
 * Checks the chain and the checkpoints; see privacy.h and the file comment. When intact,
 * msg says so with the counts ("audit log intact: 12 entries, 2 checkpoints").
 */
enum err
audit_verify(struct privacy *p, struct store *s, int64_t *bad_seq, char *msg, size_t msgsize)
{
	struct audit_state st;
	enum err e;

	if (msgsize)
		msg[0] = '\0';
	e = audit_walk(p, s, &st, bad_seq, msg, msgsize);
	if (e == ERR_OK)
		snprintf(msg, msgsize, "audit log intact: %lld entr%s, %zu checkpoint%s%s",
		    (long long)st.count, st.count == 1 ? "y" : "ies", st.ncheckpoints,
		    st.ncheckpoints == 1 ? "" : "s",
		    st.count > 0 && st.ncheckpoints == 0
			? " (no signed checkpoint yet: entries cut from the end could not be "
			  "detected; run candor audit checkpoint, or let candor serve write one "
			  "hourly)"
			: "");
	else if (msgsize && msg[0] == '\0')
		snprintf(msg, msgsize, "cannot read the audit log: %s (%s)", err_str(e),
		    store_errmsg(s));
	return e;
}

/*
 * Verifies the log and, when intact, appends a signed checkpoint of what was verified to
 * DIR/audit.checkpoints in one write, fsynced (with the directory when the file is new).
 * ERR_CONFLICT when the log is not intact: a checkpoint never blesses a tampered log.
 */
enum err
audit_checkpoint(struct privacy *p, struct store *s)
{
	unsigned char sig[crypto_sign_BYTES];
	char hex[2 * AUDIT_HASH_BYTES + 1], sighex[2 * crypto_sign_BYTES + 1];
	char line[LIMIT_AUDIT_CHECKPOINT_LINE], msg[256];
	struct audit_state st;
	int64_t bad;
	ssize_t w;
	int fd, len, len2;
	bool created;
	enum err e;

	if ((e = audit_walk(p, s, &st, &bad, msg, sizeof(msg))) != ERR_OK)
		return e;
	sodium_bin2hex(hex, sizeof(hex), st.last, AUDIT_HASH_BYTES);
	len = snprintf(line, sizeof(line), "%lld %s %lld", (long long)st.count, hex,
	    (long long)time_now());
	if (len < 0 || (size_t)len >= sizeof(line))
		return ERR_TOOBIG;
	if (crypto_sign_detached(sig, NULL, (const unsigned char *)line, (size_t)len,
		p->sign_sk) != 0)
		return ERR_CRYPTO;
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	len2 = snprintf(line + len, sizeof(line) - (size_t)len, " %s\n", sighex);
	if (len2 < 0 || (size_t)(len + len2) >= sizeof(line))
		return ERR_TOOBIG;
	created = access(p->checkpoints, F_OK) != 0;
	fd = open(p->checkpoints, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ERR_IO;
	w = write(fd, line, (size_t)(len + len2));
	e = w == len + len2 && fsync(fd) == 0 ? ERR_OK : ERR_IO;
	if (close(fd) != 0)
		e = ERR_IO;
	if (e == ERR_OK && created) {
		char dir[sizeof(p->checkpoints)], *slash;

		str_copy(dir, p->checkpoints, sizeof(dir));
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) != 0)
				e = ERR_IO;
			if (fd >= 0)
				close(fd);
		}
	}
	return e;
}

/*
 * Entries about subject (every entry when NULL), oldest first, into an array and strings
 * allocated in a. *n may be 0 (then *out is NULL).
 */
enum err
audit_list(struct privacy *p, struct store *s, struct arena *a, const char *subject,
    struct audit_entry **out, size_t *n)
{
	struct audit_entry *v = NULL, *nv, *ent;
	const char **dst[AUDIT_NFIELDS];
	struct store_q *q;
	size_t cap = 0, count = 0;
	enum err e = ERR_OK, de;
	int i;

	*out = NULL;
	*n = 0;
	q = store_prepare(s, &audit_sql[subject ? SQL_AUDIT_LIST_SUBJECT : SQL_AUDIT_LIST_ALL]);
	if (q == NULL)
		return store_done(NULL);
	if (subject)
		store_bind_text(q, 1, subject);
	while (store_step(q) == STORE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = ERR_NOMEM;
				break;
			}
			v = nv;
		}
		ent = &v[count];
		memset(ent, 0, sizeof(*ent));
		ent->seq = store_col_int(q, 0);
		ent->at = store_col_int(q, 1);
		dst[0] = &ent->actor;
		dst[1] = &ent->actor_role;
		dst[2] = &ent->actor_org;
		dst[3] = &ent->actor_country;
		dst[4] = &ent->subject;
		dst[5] = &ent->field_class;
		dst[6] = &ent->purpose;
		dst[7] = &ent->decision;
		dst[8] = &ent->detail;
		for (i = 0; i < AUDIT_NFIELDS; i++)
			if ((*dst[i] = arena_strdup(a, store_col_text(q, 2 + i))) == NULL)
				e = ERR_NOMEM;
		if (e != ERR_OK)
			break;
		count++;
	}
	if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
		e = de;
	if (e == ERR_OK && count > 0) {
		if ((*out = arena_alloc(a, count * sizeof(**out))) == NULL)
			e = ERR_NOMEM;
		else {
			memcpy(*out, v, count * sizeof(**out));
			*n = count;
		}
	}
	free(v);
	return e;
}
