/*
 * comments: the comment form under a post, a member's edit of their own comment, the
 * moderation queue (/admin/comments) and the comment feed (issue 6).
 * (Contract stub: the route table is filled in by the work.)
 */
#include "web/web_int.h"

enum err
web_routes_comments(struct web_app *app)
{
	(void)app;
	return ERR_OK;
}
