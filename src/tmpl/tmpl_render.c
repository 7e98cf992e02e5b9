/*
 * tmpl_render: walks a compiled template's node array and appends to a buf. Runs on
 * every request, so it does no parsing, no allocation besides the output buf's growth,
 * and no formatting through printf. Escaping is table-driven and appends runs of safe
 * bytes in one buf_append.
 *
 * Invariants: the context stack never exceeds TMPL_STACK entries because the loader
 * bounded nesting at LIMIT_TEMPLATE_DEPTH (a depth check here is only a safety net);
 * {{html:name}} emits raw bytes only for a TMPL__HTML value, and only in text context
 * (the compiler rejects it elsewhere).
 */
#include <string.h>

#include "tmpl/tmpl_int.h"

/* root context + layout's content object + one per nested section */
#define TMPL_STACK (LIMIT_TEMPLATE_DEPTH + 2)

struct tmpl_render {
	const struct tmpl_set *set;
	struct buf *out;
	const struct tmpl_val *stack[TMPL_STACK];
	int top; /* entries used in stack */
};

/* ---- escaping ---- */

/* Replacement index per byte in text and attribute values: 0 keeps the byte. */
static const uint8_t tmpl_esc_html[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char *const tmpl_esc_html_rep[] = {"", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
static const uint8_t tmpl_esc_html_len[] = {0, 5, 4, 4, 6, 5};

/* In URLs: 1 percent-encodes the byte, 2 is '&' (entity). Quotes, < and > are
 * percent-encoded, so '&' is the only byte left needing an entity. */
#define P 1
/* clang-format off */
static const uint8_t tmpl_esc_url[256] = {
	/* C0 controls and space */
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	[' '] = P, ['"'] = P, ['\''] = P, ['<'] = P, ['>'] = P, ['`'] = P, ['\\'] = P,
	['^'] = P, ['{'] = P, ['|'] = P, ['}'] = P, ['&'] = 2, [0x7f] = P,
	/* non-ASCII */
	[0x80] = P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
};
/* clang-format on */
#undef P

static void
tmpl_escape_html(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	uint8_t r;

	for (i = 0; i < n; i++) {
		if ((r = tmpl_esc_html[(unsigned char)s[i]]) == 0)
			continue;
		buf_append(b, s + run, i - run);
		buf_append(b, tmpl_esc_html_rep[r], tmpl_esc_html_len[r]);
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
}

void
tmpl_escape_text(struct buf *out, const char *s)
{
	tmpl_escape_html(out, s, strlen(s));
}

static void
tmpl_escape_url_bytes(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char pct[3] = {'%', 0, 0};
	size_t i, run = 0;
	unsigned char c;
	uint8_t r;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((r = tmpl_esc_url[c]) == 0)
			continue;
		buf_append(b, s + run, i - run);
		if (r == 2) {
			buf_append(b, "&amp;", 5);
		} else {
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			buf_append(b, pct, 3);
		}
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
}

/*
 * True when URL s may be emitted as is: relative, or with scheme http, https or mailto.
 * Mirrors how a browser finds a scheme: leading C0 controls and spaces are dropped, tabs
 * and newlines inside are ignored; here every control byte inside the scheme is ignored,
 * which only ever rejects more. The scheme compare is case-insensitive.
 */
static bool
tmpl_url_allowed(const char *s, size_t n)
{
	static const char *const allowed[] = {"http", "https", "mailto"};
	char scheme[8];
	size_t i, k = 0, j;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20)
			continue;
		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true; /* no scheme: relative */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return true; /* not a scheme character: a browser sees no scheme */
		if (k < sizeof(scheme))
			scheme[k] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		k++;
	}
	if (i == n)
		return true; /* no ':' at all */
	for (j = 0; j < COUNTOF(allowed); j++)
		if (k == strlen(allowed[j]) && memcmp(scheme, allowed[j], k) == 0)
			return true;
	return false;
}

/* A URL that starts an attribute value: trimmed, scheme-checked, encoded. */
static void
tmpl_escape_url(struct buf *b, const char *s, size_t n)
{
	while (n > 0 && (unsigned char)*s <= 0x20) {
		s++;
		n--;
	}
	if (!tmpl_url_allowed(s, n)) {
		buf_append(b, "#", 1);
		return;
	}
	tmpl_escape_url_bytes(b, s, n);
}

static void
tmpl_emit(struct buf *b, enum tmpl__esc esc, const char *s, size_t n)
{
	switch (esc) {
	case TMPL__ESC_URL:
		tmpl_escape_url(b, s, n);
		break;
	case TMPL__ESC_URL_PART:
		tmpl_escape_url_bytes(b, s, n);
		break;
	default:
		tmpl_escape_html(b, s, n);
		break;
	}
}

/* Decimal digits of i into the end of a 24-byte buffer; returns the first digit. */
static char *
tmpl_int_str(int64_t i, char buf[24])
{
	char *p = buf + 24;
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	return p;
}

/* ---- lookup ---- */

/*
 * The value named by node n: the first segment from the innermost context outwards,
 * the rest strictly inside what the first found. NULL when missing or unset.
 */
static const struct tmpl_val *
tmpl_lookup(const struct tmpl_render *r, const struct tmpl__tmpl *t, const struct tmpl__node *n)
{
	const struct tmpl__seg *seg = &t->segs[n->seg];
	const struct tmpl_field *f = NULL;
	const struct tmpl_val *v;
	uint32_t k;
	int i;

	if (n->nseg == 0)
		return r->top > 0 ? r->stack[r->top - 1] : NULL;
	for (i = r->top - 1; i >= 0; i--) {
		v = r->stack[i];
		if (v->kind == TMPL__OBJ && (f = tmpl__obj_find(v, seg[0].p, seg[0].len)) &&
		    f->val.kind != TMPL__MISSING)
			break;
	}
	if (i < 0)
		return NULL;
	v = &f->val;
	for (k = 1; k < n->nseg; k++) {
		if (v->kind != TMPL__OBJ)
			return NULL;
		f = tmpl__obj_find(v, seg[k].p, seg[k].len);
		if (f == NULL || f->val.kind == TMPL__MISSING)
			return NULL;
		v = &f->val;
	}
	return v;
}

/* ---- walking ---- */

static void tmpl_walk(struct tmpl_render *r, const struct tmpl__tmpl *t, uint32_t from,
                      uint32_t to);

static void
tmpl_var(struct tmpl_render *r, const struct tmpl__tmpl *t, const struct tmpl__node *n)
{
	const struct tmpl_val *v = tmpl_lookup(r, t, n);
	char num[24], *p;

	if (v == NULL)
		return;
	switch (v->kind) {
	case TMPL__HTML:
		if (n->raw) {
			buf_append(r->out, v->u.str.p, v->u.str.len);
			break;
		}
		tmpl_emit(r->out, n->esc, v->u.str.p, v->u.str.len); /* escaped like a string */
		break;
	case TMPL__STR:
		tmpl_emit(r->out, n->esc, v->u.str.p, v->u.str.len);
		break;
	case TMPL__INT:
		p = tmpl_int_str(v->u.i, num);
		tmpl_emit(r->out, n->esc, p, (size_t)(num + sizeof(num) - p));
		break;
	case TMPL__BOOL:
		if (v->u.b)
			tmpl_emit(r->out, n->esc, "true", 4);
		else
			tmpl_emit(r->out, n->esc, "false", 5);
		break;
	default:
		break; /* objects and lists have no text */
	}
}

/* Renders the body of section n once with v as the innermost context. */
static void
tmpl_body(struct tmpl_render *r, const struct tmpl__tmpl *t, uint32_t at, const struct tmpl_val *v)
{
	if (r->top >= TMPL_STACK)
		return; /* unreachable: the loader bounds nesting */
	r->stack[r->top++] = v;
	tmpl_walk(r, t, at + 1, t->nodes[at].end);
	r->top--;
}

static void
tmpl_walk(struct tmpl_render *r, const struct tmpl__tmpl *t, uint32_t from, uint32_t to)
{
	const struct tmpl__node *n;
	const struct tmpl_val *v, *item;
	uint32_t i = from;

	while (i < to) {
		n = &t->nodes[i];
		switch (n->kind) {
		case TMPL__N_TEXT:
			buf_append(r->out, n->text, n->len);
			i++;
			break;
		case TMPL__N_VAR:
			tmpl_var(r, t, n);
			i++;
			break;
		case TMPL__N_SECTION:
			v = tmpl_lookup(r, t, n);
			if (tmpl__truthy(v)) {
				if (v->kind == TMPL__LIST) {
					for (item = v->u.list.head; item; item = item->next)
						tmpl_body(r, t, i, item);
				} else {
					tmpl_body(r, t, i, v);
				}
			}
			i = n->end;
			break;
		case TMPL__N_INVERTED:
			if (!tmpl__truthy(tmpl_lookup(r, t, n)))
				tmpl_walk(r, t, i + 1, n->end);
			i = n->end;
			break;
		case TMPL__N_PARTIAL:
			tmpl_walk(r, &r->set->t[n->target], 0, r->set->t[n->target].nnodes);
			i++;
			break;
		default:
			i++;
			break;
		}
	}
}

/* Renders template index ti with the contexts stack[0..nctx) into out. */
static enum err
tmpl_run(const struct tmpl_set *set, long ti, const struct tmpl_val *const *ctx, int nctx,
         struct buf *out)
{
	struct tmpl_render r;
	int i;

	r.set = set;
	r.out = out;
	r.top = 0;
	for (i = 0; i < nctx; i++)
		if (ctx[i])
			r.stack[r.top++] = ctx[i];
	tmpl_walk(&r, &set->t[ti], 0, set->t[ti].nnodes);
	return out->failed ? ERR_NOMEM : ERR_OK;
}

enum err
tmpl_render(const struct tmpl_set *set, const char *name, const struct tmpl_val *ctx,
            struct buf *out)
{
	long ti;

	if (set == NULL || name == NULL || (ti = tmpl__find(set, name, strlen(name))) < 0)
		return ERR_NOTFOUND;
	return tmpl_run(set, ti, &ctx, 1, out);
}

/*
 * Renders page name into a scratch buf, then layout with the page's HTML as an HTML
 * value "content" in an object stacked inside ctx. That object lives on this stack frame
 * and points at the scratch bytes, so ctx is left unchanged and the page is not copied.
 */
enum err
tmpl_render_layout(const struct tmpl_set *set, const char *layout, const char *name,
                   struct tmpl_val *ctx, struct buf *out)
{
	struct tmpl_field content;
	struct tmpl_val wrap;
	const struct tmpl_val *stack[2];
	struct buf page;
	enum err e;
	long li, pi;

	buf_init(&page);
	if (set == NULL || layout == NULL || name == NULL ||
	    (li = tmpl__find(set, layout, strlen(layout))) < 0 ||
	    (pi = tmpl__find(set, name, strlen(name))) < 0) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if ((e = tmpl_run(set, pi, (const struct tmpl_val *const *)&ctx, 1, &page)) != ERR_OK)
		goto out;
	memset(&content, 0, sizeof(content));
	content.key = "content";
	content.keylen = strlen(content.key);
	content.val.kind = TMPL__HTML;
	content.val.u.str.p = page.data ? page.data : "";
	content.val.u.str.len = page.len;
	memset(&wrap, 0, sizeof(wrap));
	wrap.kind = TMPL__OBJ;
	wrap.u.obj.head = wrap.u.obj.tail = &content;
	stack[0] = ctx;
	stack[1] = &wrap;
	e = tmpl_run(set, li, stack, 2, out);
out:
	buf_free(&page);
	return e;
}
