/*
 * inventory: every personal field candor stores, and every cookie it sets (P8, P18, B6).
 * The privacy page renders both tables from here, and test_privacy_inventory fails when
 * the schema holds a personal-looking column this table does not list, or when a listed
 * field is stored in plaintext. Add a row here in the same change that adds a column.
 */
#include "privacy/privacy_int.h"

const struct inventory_field inventory[] = {
	{"people", "email_sealed", FIELD_EMAIL, "Your email address (if you have an account)",
	    "To sign you in, to confirm changes to your account and, if you agree, to tell you "
	    "about news and ask for feedback",
	    "You; the operator, and staff who signed a confidentiality agreement, when support "
	    "or security needs it; every such read is logged and shown to you",
	    "Until you delete your account; then it is destroyed with your key"},
	{"people", "email_blind", FIELD_EMAIL,
	    "A keyed fingerprint of your email address (not the address itself)",
	    "To find your account when you sign in, and to stop two accounts sharing an address",
	    "No one reads it; the software compares it", "Until you delete your account"},
	{"account_passwords", "hash", FIELD_SECRET,
	    "If you set a password: an argon2id hash of it, never the password",
	    "To check your password when you sign in",
	    "No one: it cannot be turned back into your password, and it is only compared",
	    "Until you change your password or delete your account"},
	{"sessions", "token_hash", FIELD_SECRET,
	    "While you are signed in: a fingerprint (BLAKE2b hash) of your sign-in token, never "
	    "the token itself, with when you signed in and when you were last active",
	    "To know it is you on each page while you are signed in, and to end your sign-in "
	    "when you log out, change your password or stay away too long",
	    "No one: it cannot be turned back into your token, and it is only compared",
	    "Until you log out or change your password, or 30 minutes without activity or 12 "
	    "hours after signing in (the defaults); then it is deleted"},
	{"mail_outbox", "to_sealed", FIELD_EMAIL,
	    "The address a message from candor is being sent to (usually your account's email)",
	    "To deliver mail you asked for: email verification, password reset, account notices",
	    "No person: candor's mail delivery opens it to send the message, and every such "
	    "read is logged and shown to you",
	    "Until you delete your account (kept with the message's delivery record); then it is "
	    "destroyed with your key"},
};
const size_t inventory_count = COUNTOF(inventory);

/* candor sets no cookie yet; member sessions, the analytics visitor cookie and the
 * preferences cookie will be listed here by the changes that add them. */
const struct inventory_cookie inventory_cookies[] = {
	{NULL, NULL, NULL, NULL},
};
const size_t inventory_cookies_count = 0;
