/* http_int: private glue between the router and the server. */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include "http/http.h"

struct http_route;

/* Finds the route for req's method and segments (HEAD uses GET routes). Returns NULL
 * when none; then *path_known tells whether another method matches (405) and allow
 * lists those methods. */
const struct http_route *http_router_find(const struct http_router *r,
    struct http_request *req, char *allow, size_t allowsize, bool *path_known);
http_handler http_route_handler(const struct http_route *rt);
size_t http_route_body_limit(const struct http_route *rt);
unsigned http_route_flags(const struct http_route *rt);

#endif
