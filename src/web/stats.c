/*
 * stats: the analytics dashboards (/admin/stats) and the public trend pages (/stats,
 * /stats/all) with k-suppression (issue 7).
 * (Contract stub: the route table is filled in by the work.)
 */
#include "web/web_int.h"

enum err
web_routes_stats(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
