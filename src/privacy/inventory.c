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
	{"account_tokens", "new_email_sealed", FIELD_EMAIL,
	    "When you change your email address: the new address, until you confirm it",
	    "To change your account's address once you follow the link we send to it",
	    "You; no one else: candor opens it when you follow the link, and that read is "
	    "logged and shown to you",
	    "One hour (the life of the link), or until you follow the link; then it is "
	    "deleted"},
	{"account_logins", "ip_sealed", FIELD_IP, "The address you last signed in from",
	    "security of your account",
	    "you; staff with a security grant",
	    "[retention] ip_days, default 90 days; the time of the sign-in stays with the "
	    "account"},
	{"login_failures", "key_hash", FIELD_SECRET,
	    "After a failed sign-in: a keyed fingerprint (BLAKE2b) of your account, or of the "
	    "name or address that was typed when no account has it, with a count",
	    "To allow at most 100 failed sign-ins an hour for each account or name, so "
	    "passwords cannot be guessed",
	    "No one: it cannot be turned back into the name or address, and it is only compared",
	    "Until the hour of counting ends, or you sign in; then it is deleted"},
	{"account_requests", "key_hash", FIELD_SECRET,
	    "When a password reset is asked for, or someone signs up with an address that "
	    "has an account: a keyed fingerprint (BLAKE2b) of the name or address typed",
	    "To send at most 5 such messages an hour for one name or address, so no one can "
	    "flood a mailbox",
	    "No one: it cannot be turned back into the name or address, and it is only counted",
	    "One hour; then it is deleted"},
	{"mail_outbox", "to_sealed", FIELD_EMAIL,
	    "The address a message from candor is being sent to (usually your account's email)",
	    "To deliver mail you asked for: email verification, password reset, account notices",
	    "No person: candor's mail delivery opens it to send the message, and every such "
	    "read is logged and shown to you",
	    "Until you delete your account (kept with the message's delivery record); then it is "
	    "destroyed with your key"},
	{"mail_outbox", "body_sealed", FIELD_TEXT,
	    "Messages waiting to be sent to you (links in them work once, for an hour)",
	    "To deliver mail you asked for: email verification, password reset, account notices",
	    "Candor itself, to send it: every such read is logged and shown to you",
	    "Until it is sent or given up, then wiped"},
	{"feedback", "text_sealed", FIELD_TEXT,
	    "A message you sent with the feedback form",
	    "To read and answer feedback; staff may publish it (with your name only if you "
	    "ticked the box)",
	    "The owner and staff with a support grant; every reading is logged",
	    "Until the operator deletes it, or with your account"},
	{"feedback", "name_sealed", FIELD_NAME,
	    "The name you gave with anonymous feedback (optional)",
	    "To credit you if you allowed your feedback to be published with your name",
	    "The owner and staff with a support grant; the public only if you ticked the box "
	    "and the message is published",
	    "Until the operator deletes the message"},
	{"feedback", "email_sealed", FIELD_EMAIL,
	    "The email you gave with feedback (optional)",
	    "Only to reply to you; never published",
	    "The owner and staff with a support grant; every reading is logged",
	    "Until the operator deletes the message, or with your account"},
	{"mail_outbox", "html_sealed", FIELD_TEXT,
	    "The HTML version of an announcement waiting to be sent to you",
	    "To deliver announcements you have not turned off (your account page)",
	    "Candor itself, to send it: every such read is logged and shown to you",
	    "Until it is sent or given up, then wiped"},
	{"comments", "ip_sealed", FIELD_IP,
	    "When you leave a comment: the address you sent it from",
	    "So the site's administrators can deal with abuse and spam in their comments",
	    "The administrators of the site where you left the comment, and staff with a "
	    "moderation grant; no other site's administrators; every such read is logged",
	    "[retention] ip_days, default 90 days, then removed (the comment stays); sooner if "
	    "the comment is deleted (by the site's administrators, or with your account)"},
	{"comments", "email_sealed", FIELD_EMAIL,
	    "When you leave a comment without an account and give an email: that address "
	    "(never shown with the comment)",
	    "So the site's administrators can reach you about your comment",
	    "The administrators of the site where you left the comment, and staff with a "
	    "moderation grant; every such read is logged",
	    "Until the comment is deleted; then it is destroyed with the comment's key"},
	{"comments", "email_blind", FIELD_EMAIL,
	    "With such a comment: a keyed fingerprint of that email (not the address itself)",
	    "To let your next comments on that site through without waiting, once one was "
	    "approved (when the site holds first-time commenters)",
	    "No one reads it; the software compares it", "Until the comment is deleted"},
	{"orders", "customer_name_sealed", FIELD_NAME,
	    "When you order from a shop: the name you give",
	    "To process and deliver your order and keep the accounting records the law asks for",
	    "You (your orders page and export); the admins of that site, to fulfil it; the "
	    "operator and staff with a billing grant; every read is logged and shown to you",
	    "[retention] order_days, default 7 years (the accounting period); deleting your "
	    "account shreds it at once while the order's amounts stay"},
	{"orders", "customer_email_sealed", FIELD_EMAIL,
	    "When you order from a shop: the email address for the confirmation and receipt",
	    "To send the order confirmation and receipt, and to reach you about the order",
	    "You; the admins of that site, to fulfil it; the operator and staff with a billing "
	    "grant; every read is logged and shown to you",
	    "[retention] order_days, default 7 years; deleting your account shreds it"},
	{"orders", "customer_address_sealed", FIELD_ADDRESS,
	    "When you order physical goods (only then): your postal address",
	    "To ship the goods",
	    "You; the admins of that site, to ship it; the operator and staff with a billing "
	    "grant; every read is logged and shown to you",
	    "[retention] order_days, default 7 years; deleting your account shreds it"},
	{"orders", "booking_sealed", FIELD_TEXT,
	    "When you book a service (only then): the date you asked for",
	    "To hold the date for you",
	    "You; the admins of that site; every read is logged and shown to you",
	    "[retention] order_days, default 7 years; deleting your account shreds it"},
	{"orders", "card_last4_sealed", FIELD_PAYMENT,
	    "When you pay online: the last four digits of the card, as the payment provider "
	    "reports them (never the card number, which only the provider sees)",
	    "To tell your payments apart on the receipt and in questions about a payment",
	    "You; the operator and staff with a billing grant; every read is logged",
	    "[retention] order_days, default 7 years; deleting your account shreds it"},
};
const size_t inventory_count = COUNTOF(inventory);

/* At most three cookies (P18), with the names of web/web_int.h (WEB_COOKIE_*). */
const struct inventory_cookie inventory_cookies[] = {
	{"__Host-candor_session", "keeps you signed in; set only when you sign in",
	    "until you sign out or close the browser; the server ends it after 30 minutes idle "
	    "or 12 hours (configurable)",
	    "when a member signs in (over plain HTTP, in development, it is called "
	    "candor_session)"},
	{"candor_visitor",
	    "a random number that lets the site count unique visitors per day; never linked to "
	    "an account, never set when your browser sends Do Not Track or Global Privacy "
	    "Control",
	    "until the end of the day (UTC)",
	    "on the first page you view each day, unless DNT or GPC is on"},
	{"candor_prefs", "remembers the look you chose (light or dark)", "one year",
	    "when you choose a look at /preferences"},
};
const size_t inventory_cookies_count = COUNTOF(inventory_cookies);
