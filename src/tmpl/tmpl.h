/*
 * tmpl: candor's template engine. Templates live in templates/NAME.html, are embedded in
 * the binary at build time and compiled once at startup into a node tree.
 *
 * Syntax (mustache-like):
 *   {{name}} {{post.title}}   interpolation, escaped for its context (below)
 *   {{#name}}...{{/name}}     section: a list repeats the block per item; an object
 *                             pushes itself as the context; a true/non-empty scalar
 *                             renders the block once; false/empty/missing renders nothing
 *   {{^name}}...{{/name}}     inverted section: renders when name is false/empty/missing
 *   {{>name}}                 partial: templates/name.html rendered in the current context
 *   {{! comment }}
 *   {{html:name}}             raw output: the one greppable marker, and it only emits
 *                             values set with tmpl_set_html (HTML our code produced, e.g.
 *                             rendered markdown); a plain string there is escaped anyway;
 *                             allowed only in text (not in attributes or <title>)
 * Names resolve in the innermost context first, then outwards; "." is the current item;
 * in "a.b" only "a" is looked up outwards. Scalars: integer 0, "" and false are empty;
 * an integer prints in decimal, a boolean as true/false, objects and lists print nothing.
 * Tags are not stripped from standalone lines (whitespace is kept as written).
 *
 * Context-aware escaping (decided at compile time by tracking the HTML around the tag):
 *   text and quoted attribute values: & < > " ' are escaped as entities;
 *   URL attributes (href, src, action, formaction, poster, cite) when the tag starts the
 *   value: only http:, https:, mailto: or relative URLs pass, anything else becomes
 *   "#"; then the value is percent-encoded where needed and entity-escaped;
 *   an interpolation in an unquoted attribute value, in a tag name, inside <script> or
 *   <style>, or inside a comment is a compile error.
 * Stricter rules that keep the compile-time context exact (each is a compile error):
 *   - interpolation in on* event handlers, style and srcdoc attributes;
 *   - in a URL attribute, an interpolation after literal text must follow a literal
 *     ':', '/', '?' or '#' (it is then percent-encoded and entity-escaped without the
 *     scheme check), and a literal ':' or '&' may not follow an interpolated start;
 *   - a section must end in the HTML context it began in, except a literal-only body
 *     such as <p{{#on}} class="on"{{/on}}>, whose two outcomes must agree by the next tag;
 *   - <title>, <textarea>, <iframe>, <xmp>, <noembed>, <noframes> hold only text (escaped
 *     interpolations are fine); "<!--" inside <script> is refused;
 *   - partials only in text; a template must end in text (all tags and comments closed).
 *
 * Layouts: tmpl_render_layout renders a page template, then renders the layout template
 * with the page's HTML available as {{html:content}} (an innermost context holding only
 * "content"; ctx itself is not modified and the page is not copied).
 *
 * Ownership: values are allocated from the arena given to tmpl_obj and live as long as it.
 */
#ifndef TMPL_TMPL_H
#define TMPL_TMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

struct tmpl_set;
struct tmpl_val;

/* Compiles every embedded file templates/NAME.html. On error returns NULL and writes a sentence
 * naming the template and line into errbuf. */
struct tmpl_set *tmpl_set_load(char *errbuf, size_t errsize);
/* Compiles templates from (name, text) pairs; for tests and fuzzing. names are without
 * the .html suffix. */
struct tmpl_set *tmpl_set_from_strings(const char *const *names, const char *const *texts,
    size_t n, char *errbuf, size_t errsize);
void tmpl_set_free(struct tmpl_set *set);
bool tmpl_exists(const struct tmpl_set *set, const char *name);

/* Renders template name with ctx into out (appending). ERR_NOTFOUND for an unknown
 * template, ERR_NOMEM. Rendering never fails half-way for any other reason. */
enum err tmpl_render(const struct tmpl_set *set, const char *name, const struct tmpl_val *ctx,
    struct buf *out);
enum err tmpl_render_layout(const struct tmpl_set *set, const char *layout, const char *name,
    struct tmpl_val *ctx, struct buf *out);

/* Appends s escaped for HTML/XML text and quoted attribute values (& < > " ' become
 * entities valid in both): for documents built in code, such as the Atom feed. */
void tmpl_escape_text(struct buf *out, const char *s);

/* Values. A new object; keys are copied into the arena, values too. */
struct tmpl_val *tmpl_obj(struct arena *a);
void tmpl_set_str(struct tmpl_val *obj, const char *key, const char *s); /* NULL: unset */
void tmpl_set_html(struct tmpl_val *obj, const char *key, const char *html);
void tmpl_set_int(struct tmpl_val *obj, const char *key, int64_t v);
void tmpl_set_bool(struct tmpl_val *obj, const char *key, bool v);
/* Nested object / list under key; returns it (NULL on allocation failure). */
struct tmpl_val *tmpl_set_obj(struct tmpl_val *obj, const char *key);
struct tmpl_val *tmpl_set_list(struct tmpl_val *obj, const char *key);
/* Appends a new object to a list and returns it. */
struct tmpl_val *tmpl_list_add(struct tmpl_val *list);

#endif
