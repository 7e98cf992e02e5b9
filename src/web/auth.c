/* auth: signup, sign-in, sign-out, email verification and password reset (placeholder
 * until the pages land). */
#include "web/web_int.h"

enum err
web_routes_auth(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
