/*
 * admin: the site admin area (issue 6): posts and pages (list, write, preview, schedule,
 * unpublish, delete), site settings, and for the owner the sites and their admins.
 * (Contract stub: the route table is filled in by the work.)
 */
#include "web/web_int.h"

enum err
web_routes_admin(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
