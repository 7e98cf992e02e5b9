/*
 * tmpl_compile: turns template text into the flat node array of tmpl_int.h, once, at
 * startup. Every decision that can be made without values is made here: the escaping of
 * each interpolation (through the HTML tracker in tmpl_html.c), the section structure,
 * the target of each partial, and the nesting depth with partials expanded. A template
 * that would need a run-time decision about safety does not compile.
 *
 * Errors are one sentence, "template 'NAME' line N: what", in the caller's errbuf. On
 * error nothing half-built is returned: the whole set is freed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "tmpl/tmpl_int.h"

#define TMPL_DIR "templates/"
#define TMPL_EXT ".html"

static void tmpl_error(char *errbuf, size_t errsize, const char *name, uint32_t line,
                       const char *fmt, ...) CORE_PRINTF(5, 6);

/* Writes "template 'name' line N: <fmt>" into errbuf (line 0: no line). */
static void
tmpl_error(char *errbuf, size_t errsize, const char *name, uint32_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errbuf == NULL || errsize == 0)
		return;
	if (line)
		n = snprintf(errbuf, errsize, "template '%s' line %u: ", name, (unsigned)line);
	else
		n = snprintf(errbuf, errsize, "template '%s': ", name);
	if (n < 0 || (size_t)n >= errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
}

static uint32_t
tmpl_count_lines(const char *p, const char *end)
{
	uint32_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* The first "cc" in [p, end), or NULL. */
static const char *
tmpl_find2(const char *p, const char *end, char c)
{
	while (p + 1 < end && (p = memchr(p, c, (size_t)(end - p - 1))) != NULL) {
		if (p[1] == c)
			return p;
		p++;
	}
	return NULL;
}

static bool
tmpl_is_name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Appends a zeroed node; NULL when out of memory. */
static struct tmpl__node *
tmpl_node_add(struct tmpl__tmpl *t, uint32_t *cap)
{
	struct tmpl__node *n;
	uint32_t ncap;

	if (t->nnodes == *cap) {
		ncap = *cap ? *cap * 2 : 32;
		if ((n = realloc(t->nodes, ncap * sizeof(*n))) == NULL)
			return NULL;
		t->nodes = n;
		*cap = ncap;
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	return n;
}

/*
 * Parses a name ("." or dot-separated segments of [A-Za-z0-9_-]) from p[0..len) into
 * t->segs and fills node's seg/nseg/text/len. Returns false on a malformed name (*oom
 * false) or allocation failure (*oom true).
 */
static bool
tmpl_name_parse(struct tmpl__tmpl *t, uint32_t *segcap, struct tmpl__node *node, const char *p,
                size_t len, bool *oom)
{
	struct tmpl__seg *segs;
	size_t i, start;

	*oom = false;
	node->text = p;
	node->len = (uint32_t)len;
	node->seg = t->nsegs;
	node->nseg = 0;
	if (len == 1 && p[0] == '.')
		return true;
	if (len == 0)
		return false;
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && tmpl_is_name_byte((unsigned char)p[i]))
			continue;
		if (i < len && p[i] != '.')
			return false;
		if (i == start)
			return false; /* empty segment: "a..b", ".a", "a." */
		if (t->nsegs == *segcap) {
			uint32_t ncap = *segcap ? *segcap * 2 : 16;
			if ((segs = realloc(t->segs, ncap * sizeof(*segs))) == NULL) {
				*oom = true;
				return false;
			}
			t->segs = segs;
			*segcap = ncap;
		}
		t->segs[t->nsegs].p = p + start;
		t->segs[t->nsegs].len = (uint32_t)(i - start);
		t->nsegs++;
		node->nseg++;
		start = i + 1;
	}
	return true;
}

/* A partial's name: one segment, the basename of a template. */
static bool
tmpl_partial_name_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!tmpl_is_name_byte((unsigned char)p[i]))
			return false;
	return true;
}

/* The error for a section whose end leaves another HTML context than its start. */
static void
tmpl_error_context(char *errbuf, size_t errsize, const struct tmpl__tmpl *t, uint32_t line,
                   const struct tmpl__node *sec, uint32_t open_line, const char *from,
                   const char *to)
{
	tmpl_error(
	    errbuf, errsize, t->name, line,
	    "section '%.*s' opened on line %u in %s ends in %s; a section must leave the HTML "
	    "context as it found it",
	    (int)sec->len, sec->text, (unsigned)open_line, from, to);
}

/*
 * True when the body of the section at index sec is literal text only and, run again
 * from the state end it left, ends in end again: a list may repeat such a body, and the
 * compiler then knows the context after it is either its start or end state.
 */
static bool
tmpl_body_repeatable(const struct tmpl__tmpl *t, uint32_t sec, const struct tmpl__hstate *end)
{
	struct tmpl__hstate s = *end;
	const char *why;
	uint32_t k;

	for (k = sec + 1; k < t->nnodes; k++) {
		if (t->nodes[k].kind != TMPL__N_TEXT)
			return false;
		if (tmpl__html_advance(&s, t->nodes[k].text, t->nodes[k].len, &why) >= 0)
			return false;
	}
	return tmpl__hstate_same(&s, end);
}

/* Open sections while compiling one template. */
struct tmpl_open {
	uint32_t node;
	uint32_t line;
	struct tmpl__hstate hs;
};

/*
 * Compiles t->src (len bytes) into t->nodes. Returns false with errbuf filled on a
 * syntax or context error. Allocations made so far stay in t and are freed with the set.
 *
 * A section must end in the HTML context it started in, with one exception for
 * conditional attributes like <p{{#on}} class="on"{{/on}}>: a body of literal text only
 * may move the context, as long as repeating it is stable; then both possible contexts
 * are followed through the literal text after the section, and they must have become
 * the same before the next tag.
 */
static bool
tmpl_compile(struct tmpl__tmpl *t, size_t len, char *errbuf, size_t errsize)
{
	const char *p = t->src, *end = t->src + len, *open, *close, *lit_end, *tag, *tend;
	struct tmpl_open stack[LIMIT_TEMPLATE_DEPTH], pend;
	struct tmpl__hstate hs;
	const char *pend_to = NULL;
	bool pending = false;
	struct tmpl__node *n;
	uint32_t line = 1, tag_line, depth = 0, nodecap = 0, segcap = 0;
	const char *why;
	bool oom = false, raw;
	long off;
	int esc;
	char c;

	tmpl__hstate_init(&hs);
	while (p < end) {
		open = tmpl_find2(p, end, '{');
		lit_end = open ? open : end;
		if (lit_end > p) {
			if ((n = tmpl_node_add(t, &nodecap)) == NULL)
				goto nomem;
			n->kind = TMPL__N_TEXT;
			n->level = (uint8_t)depth;
			n->line = line;
			n->text = p;
			n->len = (uint32_t)(lit_end - p);
			if ((off = tmpl__html_advance(&hs, p, (size_t)(lit_end - p), &why)) >= 0 ||
			    (pending && (off = tmpl__html_advance(
			                     &pend.hs, p, (size_t)(lit_end - p), &why)) >= 0)) {
				tmpl_error(errbuf, errsize, t->name,
				           line + tmpl_count_lines(p, p + off), "%s", why);
				return false;
			}
			if (pending && tmpl__hstate_same(&hs, &pend.hs))
				pending = false;
			line += tmpl_count_lines(p, lit_end);
		}
		if (open == NULL)
			break;
		tag_line = line;
		if ((close = tmpl_find2(open + 2, end, '}')) == NULL) {
			tmpl_error(errbuf, errsize, t->name, tag_line,
			           "unclosed tag: '{{' without '}}'");
			return false;
		}
		line += tmpl_count_lines(open, close);
		p = close + 2;

		tag = open + 2;
		tend = close;
		while (tag < tend && (*tag == ' ' || *tag == '\t' || *tag == '\n' || *tag == '\r'))
			tag++;
		while (tend > tag && (tend[-1] == ' ' || tend[-1] == '\t' || tend[-1] == '\n' ||
		                      tend[-1] == '\r'))
			tend--;
		if (tag == tend) {
			tmpl_error(errbuf, errsize, t->name, tag_line, "empty tag '{{}}'");
			return false;
		}
		c = *tag;
		if (c == '!')
			continue;
		if (pending) {
			tmpl_error_context(errbuf, errsize, t, tag_line, &t->nodes[pend.node],
			                   pend.line, tmpl__hstate_describe(&pend.hs), pend_to);
			return false;
		}
		if (c == '{' || c == '&' || c == '=') {
			tmpl_error(errbuf, errsize, t->name, tag_line,
			           "unsupported tag '{{%c'; raw output is written {{html:name}}",
			           c);
			return false;
		}
		if (c == '#' || c == '^' || c == '/' || c == '>') {
			tag++;
			while (tag < tend && (*tag == ' ' || *tag == '\t'))
				tag++;
		}
		if (c == '/') {
			struct tmpl_open *o;
			struct tmpl__node *sec;

			if (depth == 0) {
				tmpl_error(errbuf, errsize, t->name, tag_line,
				           "'{{/%.*s}}' closes no open section", (int)(tend - tag),
				           tag);
				return false;
			}
			o = &stack[depth - 1];
			sec = &t->nodes[o->node];
			if ((size_t)(tend - tag) != sec->len ||
			    memcmp(tag, sec->text, sec->len) != 0) {
				tmpl_error(
				    errbuf, errsize, t->name, tag_line,
				    "'{{/%.*s}}' does not match '{{%c%.*s}}' opened on line %u",
				    (int)(tend - tag), tag,
				    sec->kind == TMPL__N_SECTION ? '#' : '^', (int)sec->len,
				    sec->text, (unsigned)o->line);
				return false;
			}
			if (!tmpl__hstate_same(&o->hs, &hs)) {
				if (!tmpl_body_repeatable(t, o->node, &hs)) {
					tmpl_error_context(errbuf, errsize, t, tag_line, sec,
					                   o->line, tmpl__hstate_describe(&o->hs),
					                   tmpl__hstate_describe(&hs));
					return false;
				}
				pend = *o;
				pend_to = tmpl__hstate_describe(&hs);
				pending = true;
			}
			sec->end = t->nnodes;
			depth--;
			continue;
		}
		if (c == '>') {
			if (!tmpl_partial_name_ok(tag, (size_t)(tend - tag))) {
				tmpl_error(errbuf, errsize, t->name, tag_line,
				           "invalid partial name '%.*s'", (int)(tend - tag), tag);
				return false;
			}
			if (hs.mode != TMPL__H_TEXT || hs.text_in != TMPL__RAW_NONE) {
				tmpl_error(
				    errbuf, errsize, t->name, tag_line,
				    "partial '{{>%.*s}}' in %s; partials are allowed only in text",
				    (int)(tend - tag), tag, tmpl__hstate_describe(&hs));
				return false;
			}
			if (depth + 1 > LIMIT_TEMPLATE_DEPTH) {
				tmpl_error(errbuf, errsize, t->name, tag_line,
				           "sections and partials nested deeper than %d",
				           LIMIT_TEMPLATE_DEPTH);
				return false;
			}
			if ((n = tmpl_node_add(t, &nodecap)) == NULL)
				goto nomem;
			n->kind = TMPL__N_PARTIAL;
			n->level = (uint8_t)depth;
			n->line = tag_line;
			n->text = tag;
			n->len = (uint32_t)(tend - tag);
			continue;
		}
		raw = false;
		if (c != '#' && c != '^' && tend - tag > 5 && memcmp(tag, "html:", 5) == 0) {
			raw = true;
			tag += 5;
		}
		if ((n = tmpl_node_add(t, &nodecap)) == NULL)
			goto nomem;
		n->level = (uint8_t)depth;
		n->line = tag_line;
		if (!tmpl_name_parse(t, &segcap, n, tag, (size_t)(tend - tag), &oom)) {
			if (oom)
				goto nomem;
			tmpl_error(errbuf, errsize, t->name, tag_line, "invalid name '%.*s'",
			           (int)(tend - tag), tag);
			return false;
		}
		if (c == '#' || c == '^') {
			if (depth == LIMIT_TEMPLATE_DEPTH) {
				tmpl_error(errbuf, errsize, t->name, tag_line,
				           "sections and partials nested deeper than %d",
				           LIMIT_TEMPLATE_DEPTH);
				return false;
			}
			n->kind = c == '#' ? TMPL__N_SECTION : TMPL__N_INVERTED;
			stack[depth].node = t->nnodes - 1;
			stack[depth].line = tag_line;
			stack[depth].hs = hs;
			depth++;
			if (depth > t->local_depth)
				t->local_depth = (uint8_t)depth;
			continue;
		}
		if ((esc = tmpl__html_interp(&hs, raw, &why)) < 0) {
			tmpl_error(errbuf, errsize, t->name, tag_line, "'{{%s%.*s}}': %s",
			           raw ? "html:" : "", (int)n->len, n->text, why);
			return false;
		}
		n->kind = TMPL__N_VAR;
		n->esc = (uint8_t)esc;
		n->raw = raw;
	}
	if (depth > 0) {
		struct tmpl__node *sec = &t->nodes[stack[depth - 1].node];

		tmpl_error(errbuf, errsize, t->name, stack[depth - 1].line,
		           "section '{{%c%.*s}}' is never closed",
		           sec->kind == TMPL__N_SECTION ? '#' : '^', (int)sec->len, sec->text);
		return false;
	}
	if (pending) {
		tmpl_error_context(errbuf, errsize, t, line, &t->nodes[pend.node], pend.line,
		                   tmpl__hstate_describe(&pend.hs), pend_to);
		return false;
	}
	if (hs.mode != TMPL__H_TEXT || hs.text_in != TMPL__RAW_NONE) {
		tmpl_error(errbuf, errsize, t->name, line, "template ends inside %s",
		           tmpl__hstate_describe(&hs));
		return false;
	}
	return true;
nomem:
	tmpl_error(errbuf, errsize, t->name, 0, "out of memory");
	return false;
}

long
tmpl__find(const struct tmpl_set *set, const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->t[i].namelen == namelen && memcmp(set->t[i].name, name, namelen) == 0)
			return (long)i;
	return -1;
}

#define TMPL_TOO_DEEP (-2)

/*
 * Depth of template i with its partials expanded, or -1 with errbuf filled (a recursive
 * partial, or nesting over LIMIT_TEMPLATE_DEPTH). chain counts the partials on the way
 * here from the template the walk started at; each adds a level, so once chain exceeds
 * the limit the walk returns TMPL_TOO_DEEP up to that template, which reports it. Thus
 * the walk's own recursion is never deeper than the limit, however many templates.
 */
static int
tmpl_visit(struct tmpl_set *set, size_t i, int chain, char *errbuf, size_t errsize)
{
	struct tmpl__tmpl *t = &set->t[i], *target;
	struct tmpl__node *n;
	int depth, sub, total;
	uint32_t k;

	if (t->visit == TMPL__DONE)
		return t->depth;
	if (chain > LIMIT_TEMPLATE_DEPTH)
		return TMPL_TOO_DEEP;
	t->visit = TMPL__VISITING;
	depth = t->local_depth;
	for (k = 0; k < t->nnodes; k++) {
		n = &t->nodes[k];
		if (n->kind != TMPL__N_PARTIAL)
			continue;
		target = &set->t[n->target];
		if (target->visit == TMPL__VISITING) {
			tmpl_error(errbuf, errsize, t->name, n->line,
			           "partial '{{>%.*s}}' includes itself (recursive partials)",
			           (int)n->len, n->text);
			return -1;
		}
		sub = tmpl_visit(set, n->target, chain + 1, errbuf, errsize);
		if (sub == -1 || (sub == TMPL_TOO_DEEP && chain > 0))
			return sub;
		total = sub == TMPL_TOO_DEEP ? LIMIT_TEMPLATE_DEPTH + 1 : n->level + 1 + sub;
		if (total > LIMIT_TEMPLATE_DEPTH) {
			tmpl_error(errbuf, errsize, t->name, n->line,
			           "partial '{{>%.*s}}' nests sections and partials deeper than %d",
			           (int)n->len, n->text, LIMIT_TEMPLATE_DEPTH);
			return -1;
		}
		if (total > depth)
			depth = total;
	}
	t->visit = TMPL__DONE;
	t->depth = (uint8_t)depth;
	return depth;
}

/* Resolves every partial to its template and checks recursion and depth. */
static bool
tmpl_link(struct tmpl_set *set, char *errbuf, size_t errsize)
{
	struct tmpl__node *n;
	size_t i;
	uint32_t k;
	long target;

	for (i = 0; i < set->n; i++) {
		for (k = 0; k < set->t[i].nnodes; k++) {
			n = &set->t[i].nodes[k];
			if (n->kind != TMPL__N_PARTIAL)
				continue;
			if ((target = tmpl__find(set, n->text, n->len)) < 0) {
				tmpl_error(errbuf, errsize, set->t[i].name, n->line,
				           "unknown partial '{{>%.*s}}'", (int)n->len, n->text);
				return false;
			}
			n->target = (uint32_t)target;
		}
	}
	for (i = 0; i < set->n; i++)
		if (tmpl_visit(set, i, 0, errbuf, errsize) < 0)
			return false;
	return true;
}

/*
 * Adds template (name, text of len bytes) as the next entry of set (whose t[] has room)
 * and compiles it. The text is copied. Returns false with errbuf filled.
 */
static bool
tmpl_add(struct tmpl_set *set, const char *name, size_t namelen, const char *text, size_t len,
         char *errbuf, size_t errsize)
{
	struct tmpl__tmpl *t = &set->t[set->n];
	char shown[64];

	str_copy(shown, name, namelen + 1 < sizeof(shown) ? namelen + 1 : sizeof(shown));
	if (namelen == 0) {
		tmpl_error(errbuf, errsize, "", 0, "empty template name");
		return false;
	}
	if (tmpl__find(set, name, namelen) >= 0) {
		tmpl_error(errbuf, errsize, shown, 0, "defined twice");
		return false;
	}
	if (len > LIMIT_TEMPLATE_BYTES) {
		tmpl_error(errbuf, errsize, shown, 0, "%zu bytes, over the limit of %d", len,
		           LIMIT_TEMPLATE_BYTES);
		return false;
	}
	memset(t, 0, sizeof(*t));
	if ((t->name = malloc(namelen + 1)) == NULL || (t->src = malloc(len + 1)) == NULL) {
		free(t->name);
		t->name = NULL;
		tmpl_error(errbuf, errsize, shown, 0, "out of memory");
		return false;
	}
	memcpy(t->name, name, namelen);
	t->name[namelen] = '\0';
	t->namelen = namelen;
	memcpy(t->src, text, len);
	t->src[len] = '\0';
	set->n++; /* from here on tmpl_set_free releases t */
	return tmpl_compile(t, len, errbuf, errsize);
}

static struct tmpl_set *
tmpl_set_alloc(size_t n)
{
	struct tmpl_set *set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	if ((set->t = calloc(n ? n : 1, sizeof(*set->t))) == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

/* The embedded file f as a template name: "templates/NAME.html" -> NAME, or NULL. */
static const char *
tmpl_embed_name(const struct embed_file *f, size_t *namelen)
{
	size_t n = strlen(f->name), dl = strlen(TMPL_DIR), el = strlen(TMPL_EXT);
	const char *base, *slash;

	if (n <= dl + el || strncmp(f->name, TMPL_DIR, dl) != 0 ||
	    strcmp(f->name + n - el, TMPL_EXT) != 0)
		return NULL;
	base = f->name + dl;
	while ((slash = strchr(base, '/')) != NULL)
		base = slash + 1;
	*namelen = (size_t)(f->name + n - el - base);
	return base;
}

struct tmpl_set *
tmpl_set_load(char *errbuf, size_t errsize)
{
	const struct embed_file *f;
	struct tmpl_set *set;
	const char *name;
	size_t count = 0, namelen;

	if (errbuf && errsize)
		errbuf[0] = '\0';
	for (f = embed_files; f->name; f++)
		if (tmpl_embed_name(f, &namelen))
			count++;
	if ((set = tmpl_set_alloc(count)) == NULL)
		goto nomem;
	for (f = embed_files; f->name; f++) {
		if ((name = tmpl_embed_name(f, &namelen)) == NULL)
			continue;
		if (!tmpl_add(set, name, namelen, (const char *)f->data, f->len, errbuf, errsize))
			goto fail;
	}
	if (!tmpl_link(set, errbuf, errsize))
		goto fail;
	return set;
nomem:
	if (errbuf && errsize)
		snprintf(errbuf, errsize, "templates: out of memory");
fail:
	tmpl_set_free(set);
	return NULL;
}

struct tmpl_set *
tmpl_set_from_strings(const char *const *names, const char *const *texts, size_t n, char *errbuf,
                      size_t errsize)
{
	struct tmpl_set *set;
	size_t i;

	if (errbuf && errsize)
		errbuf[0] = '\0';
	if ((set = tmpl_set_alloc(n)) == NULL) {
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "templates: out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || texts[i] == NULL) {
			tmpl_error(errbuf, errsize, names[i] ? names[i] : "", 0, "no text");
			goto fail;
		}
		if (!tmpl_add(set, names[i], strlen(names[i]), texts[i], strlen(texts[i]), errbuf,
		              errsize))
			goto fail;
	}
	if (!tmpl_link(set, errbuf, errsize))
		goto fail;
	return set;
fail:
	tmpl_set_free(set);
	return NULL;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->t[i].name);
		free(set->t[i].src);
		free(set->t[i].nodes);
		free(set->t[i].segs);
	}
	free(set->t);
	free(set);
}

bool
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return set != NULL && name != NULL && tmpl__find(set, name, strlen(name)) >= 0;
}
