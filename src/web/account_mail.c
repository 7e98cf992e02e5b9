/* account_mail: the messages candor sends about an account (placeholder). */
#include "web/web_int.h"

enum err
web_mail_account(struct web_app *app, struct store *s, const struct site *site, int64_t person,
    const char *to, enum web_mail_kind kind, const char *token)
{
	(void)app, (void)s, (void)site, (void)person, (void)to, (void)kind, (void)token;
	return ERR_UNAVAIL;
}
