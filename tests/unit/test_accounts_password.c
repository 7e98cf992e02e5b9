/*
 * test_accounts_password: the password rules of SECURITY.md without a database. Lengths
 * at N and N+1 (12/11 and 128/129 code points, in ASCII and in multibyte characters),
 * bytes that are not text, the common-password list (exact, case variants, with digits
 * or symbols added, doubled) and runs refused while long ordinary passwords pass, and
 * the argon2id hash: parameters, a fresh salt each time, verify, needs_rehash.
 */
#include <sodium.h>

#include "accounts/accounts.h"
#include "testlib.h"

/* n copies of the UTF-8 character c, into out (NUL-terminated); returns the byte count. */
static size_t
repeat(char *out, size_t outsize, const char *c, size_t n)
{
	size_t len = strlen(c), i;

	T_ASSERT(n * len < outsize);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, c, len);
	out[n * len] = '\0';
	return n * len;
}

/* A password that is none of the refused kinds: distinct letters, no run. */
static size_t
ordinary(char *out, size_t outsize, const char *c, size_t n)
{
	static const char *const letters[] = {"k", "q", "m", "z", "w", "f"};
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		const char *ch = (c && i % 2) ? c : letters[i % COUNTOF(letters)];
		T_ASSERT(len + strlen(ch) < outsize);
		memcpy(out + len, ch, strlen(ch));
		len += strlen(ch);
	}
	out[len] = '\0';
	return len;
}

static enum err
check(const char *pw, char *msg, size_t msgsize)
{
	return password_check(pw, strlen(pw), msg, msgsize);
}

static void
test_lengths(void)
{
	char pw[1024], msg[256];
	size_t n;

	n = ordinary(pw, sizeof(pw), NULL, 12);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = ordinary(pw, sizeof(pw), NULL, 11);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "at least 12 characters");
	n = ordinary(pw, sizeof(pw), NULL, 128);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = ordinary(pw, sizeof(pw), NULL, 129);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_TOOBIG);
	T_CONTAINS(msg, "at most 128 characters");

	/* characters, not bytes: 12 two-, three- and four-byte characters pass, 11 don't */
	n = ordinary(pw, sizeof(pw), "\xc3\xa9", 12); /* é: 18 bytes, 12 characters */
	T_EQ_INT(n, 18);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = ordinary(pw, sizeof(pw), "\xc3\xa9", 11);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_INVAL);
	n = repeat(pw, sizeof(pw), "\xe6\x97\xa5\xe6\x9c\xac", 6); /* 日本 x6: 12 characters */
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = repeat(pw, sizeof(pw), "\xe6\x97\xa5", 11); /* 33 bytes but 11 characters */
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "at least 12");
	/* 128 four-byte characters (512 bytes) pass; 129 do not, nor does any 513 bytes */
	n = ordinary(pw, sizeof(pw), "\xf0\x9f\x94\x91", 128);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = ordinary(pw, sizeof(pw), "\xf0\x9f\x94\x91", 129);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_TOOBIG);
	n = repeat(pw, sizeof(pw), "\xf0\x9f\x94\x91", 128);
	T_EQ_INT(n, LIMIT_PASSWORD_MAX_BYTES);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	/* 128 two-byte characters: 256 bytes, accepted; 129 refused */
	n = ordinary(pw, sizeof(pw), "\xc3\xa9", 128);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_OK);
	n = ordinary(pw, sizeof(pw), "\xc3\xa9", 129);
	T_EQ_INT(password_check(pw, n, msg, sizeof(msg)), ERR_TOOBIG);
}

static void
test_not_text(void)
{
	char msg[256];
	static const char nul[] = "kqmzwfkq\0mzwf";

	T_EQ_INT(password_check(nul, sizeof(nul) - 1, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "NUL");
	T_EQ_INT(check("kqmzwfkqmzwf\xff", msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(check("kqmzwfkqmzwf\xc3", msg, sizeof(msg)), ERR_INVAL);        /* cut short */
	T_EQ_INT(check("kqmzwfkqmzwf\xc0\xaf", msg, sizeof(msg)), ERR_INVAL);    /* overlong */
	T_EQ_INT(check("kqmzwfkqmzwf\xed\xa0\x80", msg, sizeof(msg)), ERR_INVAL); /* surrogate */
	T_EQ_INT(check("kqmzwfkqmzwf\xf4\x90\x80\x80", msg, sizeof(msg)), ERR_INVAL);
	/* no composition rules: spaces, tabs and any script are fine */
	T_EQ_INT(check("correct horse battery staple", msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(check("nur kleinbuchstaben hier", msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(check("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c \xd0\xb4\xd0\xbb\xd1"
		       "\x8f \xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4\xd0\xb0",
		     msg, sizeof(msg)),
	    ERR_OK);
}

static void
test_common(void)
{
	static const char *const refused[] = {
	    "password1234",  /* "password" with digits */
	    "PASSWORD1234", "Password1234", "pAsSwOrD1234", "1234password",
	    "iloveyou2024!", "ILoveYou2024!", "!!letmein!!!", "trustno1trustno1",
	    "dragondragon", "DragonDragon", "sunshine 2024", "football1234",
	    "winniethepooh", "WinnieThePooh", /* on the list as it is, 13 characters */
	    "123456123456", "abc123abc123", "monkey123456",
	    "aaaaaaaaaaaa", "123456789012", "987654321098", "abcdefghijklm", "ZYXWVUTSRQPO",
	    "............",
	};
	static const char *const accepted[] = {
	    "password manager says hi", "dragon-fruit-salad", "my monkey likes tea",
	    "dragon1234x", /* 11: refused for length only, see below */
	    "zq8!v^Lr2#pW@e7$Kd", "sunshine on the 4th floor",
	};
	char msg[256];
	size_t i;

	T_ASSERT(password_common_count() >= 3000);
	printf("common-password list: %zu distinct entries\n", password_common_count());
	for (i = 0; i < COUNTOF(refused); i++) {
		msg[0] = '\0';
		if (check(refused[i], msg, sizeof(msg)) != ERR_INVAL)
			T_FAIL("\"%s\" was accepted", refused[i]);
		T_CONTAINS(msg, "attackers try");
	}
	T_EQ_INT(check("password1234", msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "common password");
	T_EQ_INT(check("WinnieThePooh", msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "list of common passwords");
	for (i = 0; i < COUNTOF(accepted); i++) {
		enum err e = check(accepted[i], msg, sizeof(msg));
		if (strlen(accepted[i]) < 12) {
			T_EQ_INT(e, ERR_INVAL);
			T_CONTAINS(msg, "at least 12");
		} else if (e != ERR_OK) {
			T_FAIL("\"%s\" was refused: %s", accepted[i], msg);
		}
	}
}

static void
test_random_accepted(void)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~ ";
	char pw[129], msg[256];
	size_t i, round;

	for (round = 0; round < 20; round++) {
		for (i = 0; i < 64; i++)
			pw[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
		pw[64] = '\0';
		if (password_check(pw, 64, msg, sizeof(msg)) != ERR_OK)
			T_FAIL("random \"%s\" refused: %s", pw, msg);
	}
}

static void
test_hash(void)
{
	const char *pw = "a long and unusual passphrase";
	char h1[PASSWORD_HASH_BYTES], h2[PASSWORD_HASH_BYTES];
	char wrong[64];

	T_EQ_INT(password_hash(pw, strlen(pw), h1), ERR_OK);
	T_EQ_INT(password_hash(pw, strlen(pw), h2), ERR_OK);
	printf("%s\n", h1);
	T_ASSERT(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	T_ASSERT(strncmp(h2, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	T_ASSERT(strcmp(h1, h2) != 0); /* a fresh salt each time */
	T_ASSERT(strstr(h1, pw) == NULL);
	T_ASSERT(password_verify(h1, pw, strlen(pw)));
	T_ASSERT(password_verify(h2, pw, strlen(pw)));
	T_ASSERT(!password_verify(h1, pw, strlen(pw) - 1));       /* no truncation */
	snprintf(wrong, sizeof(wrong), "%sx", pw);
	T_ASSERT(!password_verify(h1, wrong, strlen(wrong)));
	T_ASSERT(!password_verify(h1, "A long and unusual passphrase", strlen(pw)));
	T_ASSERT(!password_verify("not a hash", pw, strlen(pw)));
	T_ASSERT(!password_verify(NULL, pw, strlen(pw)));
	T_ASSERT(!password_needs_rehash(h1));

	/* other parameters, or argon2i, or garbage: rehash */
	{
		char old[crypto_pwhash_STRBYTES];
		T_EQ_INT(crypto_pwhash_str_alg(old, pw, strlen(pw), 1, 8 * 1024 * 1024,
			     crypto_pwhash_ALG_ARGON2ID13),
		    0);
		T_ASSERT(password_verify(old, pw, strlen(pw)));
		T_ASSERT(password_needs_rehash(old));
		/* argon2i (libsodium wants t >= 3 for it) */
		T_EQ_INT(crypto_pwhash_str_alg(old, pw, strlen(pw), 3, LIMIT_ARGON2_MEMLIMIT,
			     crypto_pwhash_ALG_ARGON2I13),
		    0);
		T_ASSERT(password_needs_rehash(old));
		T_ASSERT(password_needs_rehash("garbage"));
	}
	/* every byte counts, far past any 72-byte bcrypt-like cut */
	{
		char a[129], b[129];
		size_t n = ordinary(a, sizeof(a), NULL, 128);
		memcpy(b, a, sizeof(a));
		b[127] = b[127] == 'k' ? 'q' : 'k';
		T_EQ_INT(password_hash(a, n, h1), ERR_OK);
		T_ASSERT(password_verify(h1, a, n));
		T_ASSERT(!password_verify(h1, b, n));
	}
}

int
main(void)
{
	T_ASSERT(sodium_init() >= 0);
	T_EQ_INT(LIMIT_ARGON2_MEMLIMIT, 19922944);
	T_EQ_INT(LIMIT_ARGON2_OPSLIMIT, 2);
	test_lengths();
	test_not_text();
	test_common();
	test_random_accepted();
	test_hash();
	return 0;
}
