/*
 * search: /search?q= over a site's published posts and pages (issue 6).
 * (Contract stub: the route table is filled in by the work.)
 */
#include "web/web_int.h"

enum err
web_routes_search(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
