/*
 * tokens: single-use links for email verification, password reset and email change
 * (SECURITY.md: single use, valid within one hour), the account_tokens table.
 *
 * Invariants: a token is 32 bytes from libsodium's CSPRNG, handed out once as base64url
 * and never stored: the row holds its BLAKE2b-256 hash, so reading the database lets no
 * one follow a link. A token is alive while unused and now <= expires_at (issued +
 * LIMIT_ACCOUNT_TOKEN_TTL_S). Using it is one conditional UPDATE (used_at IS NULL), so
 * two concurrent uses cannot both succeed. Issuing a token deletes the person's earlier
 * unused tokens of the same kind (marks them spent): only the newest link works. At most
 * LIMIT_ACCOUNT_TOKENS_PER_HOUR links of a kind are issued to a person in an hour
 * (ERR_LIMIT beyond), so no form can be used to flood a mailbox. A change-email token
 * carries the new address sealed under the person's key, bound to the token row; the
 * seal is dropped when the token is used, and expired rows go with session_purge.
 *
 * A link must not outlive what it was mailed for: a new password spends the person's
 * unused reset and change-email links (accounts__tokens_spend, from password_set_hash),
 * a new address spends those and the verification links, in the same transaction.
 *
 * Using a token marks it used first, then applies it. When applying it opened the
 * sealed new address (a read the gate wrote to the audit log) and then could not go on,
 * because the address was taken meanwhile (ERR_CONFLICT) or the gate refused
 * (ERR_DENIED), nothing else has been written but the token's use: the transaction is
 * committed, not rolled back, so the audit entry of the read stays and the link, which
 * can never succeed, is spent.
 */
#include <sodium.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "privacy/privacy.h"

enum {
	SQL_TOKEN_LAST,
	SQL_TOKEN_REVOKE,
	SQL_TOKEN_INSERT,
	SQL_TOKEN_SEAL,
	SQL_TOKEN_GET,
	SQL_TOKEN_USE,
	SQL_TOKEN_SPEND,
	SQL_TOKEN_PURGE,
	SQL_TOKEN__MAX
};

static const struct store_stmt token_sql[SQL_TOKEN__MAX] = {
	[SQL_TOKEN_LAST] = {"account_token_recent",
	    "SELECT COUNT(*) FROM account_tokens"
	    " WHERE person_id = ? AND kind = ? AND created_at > ?"},
	/* spent, not deleted: the row still counts towards the hourly limit */
	[SQL_TOKEN_REVOKE] = {"account_token_revoke",
	    "UPDATE account_tokens SET used_at = ?, new_email_sealed = NULL"
	    " WHERE person_id = ? AND kind = ? AND used_at IS NULL"},
	[SQL_TOKEN_INSERT] = {"account_token_insert",
	    "INSERT INTO account_tokens (token_hash, person_id, kind, created_at, expires_at)"
	    " VALUES (?, ?, ?, ?, ?) RETURNING id"},
	[SQL_TOKEN_SEAL] = {"account_token_seal",
	    "UPDATE account_tokens SET new_email_sealed = ? WHERE id = ?"},
	[SQL_TOKEN_GET] = {"account_token_get",
	    "SELECT id, person_id, expires_at, used_at, new_email_sealed FROM account_tokens"
	    " WHERE token_hash = ? AND kind = ?"},
	/* the condition makes a use single even against a concurrent one */
	[SQL_TOKEN_USE] = {"account_token_use",
	    "UPDATE account_tokens SET used_at = ?, new_email_sealed = NULL"
	    " WHERE id = ? AND used_at IS NULL RETURNING id"},
	/* ? = now, person, then three kinds (a kind may be repeated) */
	[SQL_TOKEN_SPEND] = {"account_token_spend",
	    "UPDATE account_tokens SET used_at = ?, new_email_sealed = NULL"
	    " WHERE person_id = ? AND used_at IS NULL AND kind IN (?, ?, ?)"},
	[SQL_TOKEN_PURGE] = {"account_token_purge",
	    "DELETE FROM account_tokens WHERE expires_at < ?"},
};

/* A stored token row. */
struct token_row {
	int64_t id;
	int64_t person;
	int64_t expires_at;
	bool used;
	struct buf sealed; /* the new address as sealed (change email), else empty */
};

/* Reads the row of token of kind; ERR_NOTFOUND when there is none or the token is
 * malformed. r->sealed must be initialised. */
static enum err
token_find(struct store *s, enum account_token_kind kind, const char *token,
    struct token_row *r)
{
	unsigned char hash[ACCOUNTS_TOKEN_HASH_BYTES];
	struct store_q *q;
	const void *b;
	size_t n = 0;
	enum err e = ERR_NOTFOUND, de;

	if ((unsigned)kind >= TOKEN__MAX || !accounts__token_hash(token, hash))
		return ERR_NOTFOUND;
	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_GET])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, hash, sizeof(hash));
	store_bind_int(q, 2, kind);
	if (store_step(q) == STORE_ROW) {
		r->id = store_col_int(q, 0);
		r->person = store_col_int(q, 1);
		r->expires_at = store_col_int(q, 2);
		r->used = !store_col_null(q, 3);
		if (!store_col_null(q, 4)) {
			b = store_col_blob(q, 4, &n);
			buf_append(&r->sealed, b, b ? n : 0);
		}
		e = r->sealed.failed ? ERR_NOMEM : ERR_OK;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

/* Whether row r may be used at now. */
static bool
token_alive(const struct token_row *r, int64_t now)
{
	return !r->used && now <= r->expires_at;
}

static void
token_row_clear(struct token_row *r)
{
	if (r->sealed.data)
		sodium_memzero(r->sealed.data, r->sealed.len);
	buf_free(&r->sealed);
}

static enum err token_mark_used(struct store *s, int64_t id, int64_t now);

enum err
account_token_issue(struct privacy *p, struct store *s, int64_t person,
    enum account_token_kind kind, const char *new_email, int64_t now,
    char out[ACCOUNT_TOKEN_LEN + 1], char *msg, size_t msgsize)
{
	unsigned char hash[ACCOUNTS_TOKEN_HASH_BYTES];
	char norm[256], subject[48];
	struct person holder;
	struct buf sealed;
	struct store_q *q;
	struct arena *a = NULL;
	int64_t id = 0;
	bool limited, taken = false;
	enum err e;

	out[0] = '\0';
	norm[0] = '\0';
	buf_init(&sealed);
	if (msg && msgsize)
		msg[0] = '\0';
	if ((unsigned)kind >= TOKEN__MAX)
		return ERR_INVAL;
	if (kind == TOKEN_CHANGE_EMAIL) {
		if (p == NULL || new_email == NULL)
			return ERR_INVAL;
		if (!people_email_ok(new_email, norm, sizeof(norm))) {
			str_msg(msg, msgsize, "That is not an email address we can use.");
			return ERR_INVAL;
		}
		if ((a = arena_new()) == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
	}
	/* checked before the transaction, like the conflict above */
	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_LAST])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, now - 3600);
	limited = store_step(q) == STORE_ROW &&
	    store_col_int(q, 0) >= LIMIT_ACCOUNT_TOKENS_PER_HOUR;
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (limited) {
		str_msg(msg, msgsize, "Several links were sent in the last hour: look for the "
					"newest in your mail (and its spam folder), or try again "
					"in an hour.");
		e = ERR_LIMIT;
		goto out;
	}
	/* After the limit, so the limit says nothing about the address. A taken address
	 * still gets a token row, spent at once: it counts towards the limit exactly as a
	 * free one does. */
	if (kind == TOKEN_CHANGE_EMAIL) {
		if ((e = people_find_by_email(p, s, a, norm, &holder)) == ERR_OK &&
		    holder.id != person)
			taken = true;
		else if (e != ERR_OK && e != ERR_NOTFOUND)
			goto out;
	}
	if ((e = accounts__token_new(out, hash)) != ERR_OK)
		goto out;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_REVOKE])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, now);
	store_bind_int(q, 2, person);
	store_bind_int(q, 3, kind);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, hash, sizeof(hash));
	store_bind_int(q, 2, person);
	store_bind_int(q, 3, kind);
	store_bind_int(q, 4, now);
	store_bind_int(q, 5, now + LIMIT_ACCOUNT_TOKEN_TTL_S);
	if (store_step(q) == STORE_ROW)
		id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT) /* 256 random bits do not collide: no such person */
			e = ERR_NOTFOUND;
		goto fail;
	}
	if (taken) {
		/* counted, never usable: spent at once, no address kept */
		if ((e = token_mark_used(s, id, now)) != ERR_OK)
			goto fail;
		if ((e = store_commit(s)) == ERR_OK) {
			str_msg(msg, msgsize, "An account with that email address exists.");
			e = ERR_CONFLICT;
		}
		goto out;
	}
	if (kind == TOKEN_CHANGE_EMAIL) {
		privacy_subject(person, subject);
		if ((e = vault_seal(p, s, subject, "account_tokens", "new_email_sealed", id, norm,
			 strlen(norm), &sealed)) != ERR_OK)
			goto fail;
		if ((q = store_prepare(s, &token_sql[SQL_TOKEN_SEAL])) == NULL) {
			e = store_done(NULL);
			goto fail;
		}
		store_bind_blob(q, 1, sealed.data, sealed.len);
		store_bind_int(q, 2, id);
		store_step(q);
		if ((e = store_done(q)) != ERR_OK)
			goto fail;
	}
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	if (e != ERR_OK)
		sodium_memzero(out, ACCOUNT_TOKEN_LEN + 1);
	sodium_memzero(norm, sizeof(norm));
	if (sealed.data)
		sodium_memzero(sealed.data, sealed.len);
	buf_free(&sealed);
	arena_free(a);
	return e;
}

enum err
account_token_peek(struct store *s, enum account_token_kind kind, const char *token,
    int64_t now, int64_t *person)
{
	struct token_row r;
	enum err e;

	*person = 0;
	memset(&r, 0, sizeof(r));
	buf_init(&r.sealed);
	if ((e = token_find(s, kind, token, &r)) == ERR_OK) {
		if (token_alive(&r, now))
			*person = r.person;
		else
			e = ERR_NOTFOUND;
	}
	token_row_clear(&r);
	return e;
}

/* Marks row id used at now; ERR_NOTFOUND when a concurrent use came first. */
static enum err
token_mark_used(struct store *s, int64_t id, int64_t now)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_USE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now);
	store_bind_int(q, 2, id);
	if (store_step(q) == STORE_ROW)
		e = ERR_OK;
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

enum err
accounts__tokens_spend(struct store *s, int64_t person, bool email_changed, int64_t now)
{
	struct store_q *q;

	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_SPEND])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now);
	store_bind_int(q, 2, person);
	store_bind_int(q, 3, TOKEN_RESET_PASSWORD);
	store_bind_int(q, 4, TOKEN_CHANGE_EMAIL);
	store_bind_int(q, 5, email_changed ? TOKEN_VERIFY_EMAIL : TOKEN_RESET_PASSWORD);
	store_step(q);
	return store_done(q);
}

/* Applies a change-email token r at now inside the open transaction: opens the sealed
 * address through the gate (as the person: it is their own data), then replaces the
 * email and spends the person's other links. ERR_CONFLICT, with nothing changed, when
 * another account holds it by now; ERR_DENIED, nothing changed, when the gate refused
 * (both after the audit entry was written: see the file's comment). */
static enum err
token_change_email(struct privacy *p, struct store *s, const struct token_row *r,
    int64_t now)
{
	struct gate_actor self = {r->person, false};
	struct gate_field f;
	struct person holder;
	struct arena *a;
	struct buf email;
	char subject[48];
	enum err e;

	if (r->sealed.len == 0)
		return ERR_NOTFOUND; /* a change-email row always has its address */
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	buf_init(&email);
	privacy_subject(r->person, subject);
	memset(&f, 0, sizeof(f));
	f.subject = subject;
	f.subject_person = r->person;
	f.cls = FIELD_EMAIL;
	f.table = "account_tokens";
	f.column = "new_email_sealed";
	f.row = r->id;
	f.sealed = r->sealed.data;
	f.sealed_len = r->sealed.len;
	if ((e = gate_read(p, s, &self, PURPOSE_SELF, &f, &email)) != ERR_OK)
		goto out;
	/* checked first, so that people_set_email never fails on it inside our
	 * transaction (its rollback would doom the token's use too) */
	if ((e = people_find_by_email(p, s, a, email.data, &holder)) == ERR_OK &&
	    holder.id != r->person) {
		e = ERR_CONFLICT;
		goto out;
	}
	if (e != ERR_OK && e != ERR_NOTFOUND)
		goto out;
	if ((e = people_set_email(p, s, r->person, email.data, true, NULL, 0)) != ERR_OK) {
		/* taken between the check and the write (PostgreSQL, no write lock): the
		 * failed statement may have broken the transaction, so this is no clean
		 * conflict to commit */
		if (e == ERR_CONFLICT)
			e = ERR_IO;
		goto out;
	}
	/* links mailed to or about the old address end with it */
	e = accounts__tokens_spend(s, r->person, true, now);
out:
	if (email.data)
		sodium_memzero(email.data, email.len);
	buf_free(&email);
	arena_free(a);
	return e;
}

enum err
account_token_use(struct privacy *p, struct store *s, enum account_token_kind kind,
    const char *token, int64_t now, int64_t *person)
{
	struct token_row r;
	enum err e, applied = ERR_OK;

	*person = 0;
	memset(&r, 0, sizeof(r));
	buf_init(&r.sealed);
	if ((unsigned)kind >= TOKEN__MAX)
		return ERR_NOTFOUND;
	if (kind == TOKEN_CHANGE_EMAIL && p == NULL)
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = token_find(s, kind, token, &r)) != ERR_OK)
		goto fail;
	if (!token_alive(&r, now)) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	/* used first: applying a change of email spends the person's unused links */
	if ((e = token_mark_used(s, r.id, now)) != ERR_OK)
		goto fail;
	switch (kind) {
	case TOKEN_VERIFY_EMAIL:
		applied = people_set_verified(s, r.person, true);
		break;
	case TOKEN_CHANGE_EMAIL:
		applied = token_change_email(p, s, &r, now);
		break;
	default:
		break; /* a reset: the caller sets the password in this transaction */
	}
	/* A taken address or a refused read still uses the token up: the link can never
	 * succeed, nothing else was written, and the audit entry of the read is kept
	 * (commit, not rollback). */
	if (applied != ERR_OK && applied != ERR_CONFLICT && applied != ERR_DENIED) {
		e = applied;
		goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	*person = r.person;
	e = applied;
	goto out;
fail:
	store_rollback(s);
out:
	token_row_clear(&r);
	return e;
}

enum err
accounts__tokens_purge(struct store *s, int64_t now)
{
	struct store_q *q;

	if ((q = store_prepare(s, &token_sql[SQL_TOKEN_PURGE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now);
	store_step(q);
	return store_done(q);
}
