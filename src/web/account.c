/* account: the member's own pages, preferences and the admin entry (placeholder until
 * the pages land). */
#include "web/web_int.h"

enum err
web_routes_account(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
