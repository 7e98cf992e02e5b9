/*
 * tmpl internals shared by the compiler (tmpl_compile.c), the HTML context tracker
 * (tmpl_html.c), the value store (tmpl_val.c) and the renderer (tmpl_render.c).
 *
 * A compiled template is a flat array of nodes. A section node's body is the range
 * (index + 1, end), so rendering is a loop over an index range and a section recursion;
 * there is no pointer chasing and no per-render allocation. Every node's name points into
 * the template's own copy of its source text, which lives as long as the set.
 *
 * Invariants established at load time and relied on when rendering:
 *   - every partial node's target is a valid index into the set;
 *   - no template includes itself, directly or through other partials;
 *   - nesting of sections and partials, with partials expanded, is at most
 *     LIMIT_TEMPLATE_DEPTH, so the render recursion and its context stack are bounded.
 */
#ifndef TMPL_TMPL_INT_H
#define TMPL_TMPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "tmpl/tmpl.h"

/* ---- values ---- */

enum tmpl__kind {
	TMPL__MISSING = 0, /* unset (tmpl_set_str(obj, key, NULL)): lookups pass over it */
	TMPL__STR,
	TMPL__HTML, /* set with tmpl_set_html: the only kind {{html:x}} emits raw */
	TMPL__INT,
	TMPL__BOOL,
	TMPL__OBJ,
	TMPL__LIST,
	TMPL__KIND__MAX
};

struct tmpl_field;

struct tmpl_val {
	enum tmpl__kind kind;
	struct arena *arena; /* where this value's children and strings are allocated */
	union {
		struct {
			const char *p;
			size_t len;
		} str; /* STR and HTML */
		int64_t i;
		bool b;
		struct {
			struct tmpl_field *head, *tail;
		} obj;
		struct {
			struct tmpl_val *head, *tail;
		} list;
	} u;
	struct tmpl_val *next; /* next item when this value is in a list */
};

struct tmpl_field {
	const char *key;
	size_t keylen;
	struct tmpl_field *next;
	struct tmpl_val val;
};

/* The field called (key, keylen) in obj, or NULL; MISSING fields are returned too. */
const struct tmpl_field *tmpl__obj_find(const struct tmpl_val *obj, const char *key, size_t keylen);
/* True when a section over v renders its block (the inverse for inverted sections). */
bool tmpl__truthy(const struct tmpl_val *v);

/* ---- HTML context tracking (compile time only) ---- */

enum tmpl__hmode {
	TMPL__H_TEXT = 0,
	TMPL__H_LT,           /* after '<' */
	TMPL__H_END_OPEN,     /* after "</" */
	TMPL__H_MARKUP,       /* after "<!" */
	TMPL__H_MARKUP_DASH,  /* after "<!-" */
	TMPL__H_COMMENT,      /* inside <!-- --> */
	TMPL__H_COMMENT_BANG, /* "--!" seen inside a comment */
	TMPL__H_BOGUS,        /* <!DOCTYPE ...>, <?...>: up to '>' */
	TMPL__H_TAG_NAME,
	TMPL__H_BETWEEN_ATTRS, /* in a tag, before/after an attribute */
	TMPL__H_ATTR_NAME,
	TMPL__H_AFTER_ATTR_NAME,
	TMPL__H_BEFORE_VALUE, /* after '=' */
	TMPL__H_VALUE_DQ,
	TMPL__H_VALUE_SQ,
	TMPL__H_VALUE_UNQ,
	TMPL__H_RAWTEXT, /* inside <script> or <style> */
	TMPL__H__MAX
};

/* Elements whose content is not parsed as markup. SCRIPT and STYLE are raw text where no
 * interpolation is allowed; the others are text (escaped interpolation is fine) that
 * only their own end tag ends, so the template may put no tag inside them. */
enum tmpl__raw {
	TMPL__RAW_NONE = 0,
	TMPL__RAW_SCRIPT,
	TMPL__RAW_STYLE,
	TMPL__RAW_TEXTAREA,
	TMPL__RAW_TITLE,
	TMPL__RAW_XMP,
	TMPL__RAW_IFRAME,
	TMPL__RAW_NOEMBED,
	TMPL__RAW_NOFRAMES,
	TMPL__RAW__MAX
};
enum tmpl__attr { TMPL__ATTR_PLAIN = 0, TMPL__ATTR_URL, TMPL__ATTR_FORBIDDEN, TMPL__ATTR__MAX };

/* Where a URL attribute's value stands, to know whether an interpolation decides the
 * URL's scheme. */
enum tmpl__url {
	TMPL__URL_START = 0, /* nothing but whitespace so far: a value here is scheme-checked */
	TMPL__URL_LITERAL,   /* literal text that does not fix the scheme ("java") */
	TMPL__URL_DYNAMIC,   /* a checked value, scheme not yet fixed by literal text */
	TMPL__URL_FIXED,     /* a literal ':', '/', '?' or '#' fixed it */
	TMPL__URL__MAX
};

#define TMPL__NAME_MAX 16

struct tmpl__hstate {
	uint8_t mode;              /* enum tmpl__hmode */
	uint8_t is_end;            /* the tag being read is an end tag */
	uint8_t raw;               /* enum tmpl__raw: what the start tag being read opens */
	uint8_t rawmatch;          /* bytes of "</script" / "</style" matched in RAWTEXT */
	uint8_t escmatch;          /* bytes of "<!--" matched in a <script> */
	uint8_t text_in;           /* enum tmpl__raw: TEXT is inside this text-only element */
	uint8_t attr;              /* enum tmpl__attr of the attribute whose value is read */
	uint8_t url;               /* enum tmpl__url, for ATTR_URL values */
	uint8_t dashes;            /* consecutive '-' inside a comment */
	uint8_t namelen;           /* bytes of name[] used (may exceed TMPL__NAME_MAX) */
	char name[TMPL__NAME_MAX]; /* lowercased tag or attribute name being read */
};

/* Where an interpolation stands and how it must be escaped. */
enum tmpl__esc {
	TMPL__ESC_TEXT = 0, /* element content */
	TMPL__ESC_ATTR,     /* quoted attribute value */
	TMPL__ESC_URL,      /* starts a URL attribute value: scheme check + encode */
	TMPL__ESC_URL_PART, /* later in a URL whose scheme is fixed: encode only */
	TMPL__ESC__MAX
};

void tmpl__hstate_init(struct tmpl__hstate *s);
/* Advances s over literal template text. Returns the offset of a byte that is not
 * allowed at that point (a ':' after an unchecked URL part, a tag inside <title>, "<!--"
 * inside <script>) with *why pointing at a static sentence, or -1. */
long tmpl__html_advance(struct tmpl__hstate *s, const char *p, size_t n, const char **why);
/* Decides how an interpolation at s is escaped. On a context where interpolation is
 * forbidden returns -1 and points *why at a static sentence. raw: {{html:...}}. Updates
 * s (a URL value is no longer at its start). */
int tmpl__html_interp(struct tmpl__hstate *s, bool raw, const char **why);
/* Two states that the following template text cannot tell apart. */
bool tmpl__hstate_same(const struct tmpl__hstate *a, const struct tmpl__hstate *b);
/* A human name for the context s is in, for error messages. */
const char *tmpl__hstate_describe(const struct tmpl__hstate *s);

/* ---- compiled templates ---- */

enum tmpl__node_kind {
	TMPL__N_TEXT = 0,
	TMPL__N_VAR,
	TMPL__N_SECTION,
	TMPL__N_INVERTED,
	TMPL__N_PARTIAL,
	TMPL__N__MAX
};

struct tmpl__seg {
	const char *p;
	uint32_t len;
};

struct tmpl__node {
	uint8_t kind;     /* enum tmpl__node_kind */
	uint8_t esc;      /* enum tmpl__esc, for VAR */
	uint8_t raw;      /* VAR written {{html:name}} */
	uint8_t level;    /* sections/partials enclosing this node in its template */
	uint32_t line;    /* where the tag starts, for link-time errors */
	const char *text; /* TEXT: the bytes; others: the name as written */
	uint32_t len;
	uint32_t seg;    /* first name segment in tmpl->segs; VAR/SECTION/INVERTED */
	uint32_t nseg;   /* 0 for "." */
	uint32_t end;    /* SECTION/INVERTED: index after the body */
	uint32_t target; /* PARTIAL: template index in the set */
};

enum tmpl__visit { TMPL__UNSEEN = 0, TMPL__VISITING, TMPL__DONE };

struct tmpl__tmpl {
	char *name;
	size_t namelen;
	char *src; /* owned copy of the source; nodes point into it */
	struct tmpl__node *nodes;
	uint32_t nnodes;
	struct tmpl__seg *segs;
	uint32_t nsegs;
	uint8_t local_depth; /* deepest section nesting inside this template alone */
	uint8_t visit;       /* enum tmpl__visit, for the link-time partial walk */
	uint8_t depth;       /* nesting with partials expanded, once visit == DONE */
};

struct tmpl_set {
	struct tmpl__tmpl *t;
	size_t n;
};

/* Index of the template called name (namelen bytes) in set, or -1. */
long tmpl__find(const struct tmpl_set *set, const char *name, size_t namelen);

#endif
