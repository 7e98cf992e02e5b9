/*
 * tmpl_html: the compile-time HTML context tracker. It follows a template's literal text
 * with a small subset of the HTML tokenizer (text, tags, attribute names and values,
 * comments, <script>/<style> raw text) so that each interpolation knows, before any
 * render, whether it sits in text, a quoted attribute value, a URL attribute, or a place
 * where no escaping is safe (then the template does not compile).
 *
 * Invariant: whenever the tracker and a browser could disagree, the tracker errs towards
 * the stricter context: it may believe a tag or comment is open when a browser would not,
 * never that text is plain when a browser is inside a script, style or attribute.
 */
#include <string.h>

#include "tmpl/tmpl_int.h"

static const char *const tmpl_url_attrs[] = {
    "href",       "src",      "action",   "formaction", "poster",   "cite", "xlink:href", "data",
    "background", "codebase", "longdesc", "usemap",     "manifest", "ping", "icon",
};

/* Attributes whose value browsers run as code or parse as markup: entity escaping does
 * not make an interpolated value safe there. */
static const char *const tmpl_forbidden_attrs[] = {"style", "srcdoc"};

void
tmpl__hstate_init(struct tmpl__hstate *s)
{
	memset(s, 0, sizeof(*s));
}

static bool
tmpl_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
tmpl_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char
tmpl_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static void
tmpl_name_reset(struct tmpl__hstate *s)
{
	s->namelen = 0;
	memset(s->name, 0, sizeof(s->name));
}

static void
tmpl_name_add(struct tmpl__hstate *s, unsigned char c)
{
	if (s->namelen < TMPL__NAME_MAX)
		s->name[s->namelen] = (char)tmpl_lower(c);
	if (s->namelen < UINT8_MAX)
		s->namelen++;
}

static bool
tmpl_name_is(const struct tmpl__hstate *s, const char *want)
{
	size_t n = strlen(want);

	return s->namelen == n && n <= TMPL__NAME_MAX && memcmp(s->name, want, n) == 0;
}

static const char *const tmpl_raw_names[TMPL__RAW__MAX] = {
    [TMPL__RAW_SCRIPT] = "script",     [TMPL__RAW_STYLE] = "style",
    [TMPL__RAW_TEXTAREA] = "textarea", [TMPL__RAW_TITLE] = "title",
    [TMPL__RAW_XMP] = "xmp",           [TMPL__RAW_IFRAME] = "iframe",
    [TMPL__RAW_NOEMBED] = "noembed",   [TMPL__RAW_NOFRAMES] = "noframes",
};

static const char tmpl_why_text_only[] =
    "only text may go inside <title>, <textarea>, <iframe>, <xmp>, <noembed> and "
    "<noframes>: no tags, no comments";

/*
 * The tag name is complete: remember whether the start tag opens raw text or a
 * text-only element. Inside a text-only element only its end tag is allowed, so that
 * the tracker and a browser agree whatever parsing rules apply (<title> in SVG is
 * parsed as markup, in HTML as text). Returns an error sentence or NULL.
 */
static const char *
tmpl_tag_named(struct tmpl__hstate *s)
{
	int k;

	s->mode = TMPL__H_BETWEEN_ATTRS;
	s->raw = TMPL__RAW_NONE;
	if (s->text_in != TMPL__RAW_NONE) {
		if (!s->is_end || !tmpl_name_is(s, tmpl_raw_names[s->text_in]))
			return tmpl_why_text_only;
		s->text_in = TMPL__RAW_NONE;
		return NULL;
	}
	if (s->is_end)
		return NULL;
	for (k = TMPL__RAW_SCRIPT; k < TMPL__RAW__MAX; k++)
		if (tmpl_name_is(s, tmpl_raw_names[k]))
			s->raw = (uint8_t)k;
	return NULL;
}

/* The attribute name is complete and a value follows: classify the attribute. */
static void
tmpl_attr_named(struct tmpl__hstate *s)
{
	size_t i;

	s->attr = TMPL__ATTR_PLAIN;
	s->url = TMPL__URL_START;
	if (s->namelen >= 2 && s->name[0] == 'o' && s->name[1] == 'n') {
		s->attr = TMPL__ATTR_FORBIDDEN; /* event handlers are JavaScript */
		return;
	}
	for (i = 0; i < COUNTOF(tmpl_forbidden_attrs); i++)
		if (tmpl_name_is(s, tmpl_forbidden_attrs[i]))
			s->attr = TMPL__ATTR_FORBIDDEN;
	for (i = 0; i < COUNTOF(tmpl_url_attrs); i++)
		if (tmpl_name_is(s, tmpl_url_attrs[i]))
			s->attr = TMPL__ATTR_URL;
}

/* The tag ends with '>': raw text for <script>/<style>, text otherwise. */
static void
tmpl_tag_end(struct tmpl__hstate *s)
{
	if (s->raw == TMPL__RAW_SCRIPT || s->raw == TMPL__RAW_STYLE) {
		s->mode = TMPL__H_RAWTEXT;
	} else {
		s->mode = TMPL__H_TEXT;
		s->text_in = s->raw;
		s->raw = TMPL__RAW_NONE;
	}
	s->rawmatch = 0;
	s->escmatch = 0;
	s->attr = TMPL__ATTR_PLAIN;
	s->url = TMPL__URL_START;
	tmpl_name_reset(s);
}

/* One literal byte inside a URL attribute value. Returns an error sentence for a byte
 * that could complete a scheme after an interpolated part, else NULL. */
static const char *
tmpl_url_byte(struct tmpl__hstate *s, unsigned char c)
{
	bool fixes = c == ':' || c == '/' || c == '?' || c == '#';

	switch (s->url) {
	case TMPL__URL_START:
		if (c <= 0x20)
			break;
		s->url = fixes ? TMPL__URL_FIXED : TMPL__URL_LITERAL;
		break;
	case TMPL__URL_LITERAL:
		if (fixes)
			s->url = TMPL__URL_FIXED;
		break;
	case TMPL__URL_DYNAMIC:
		if (c == ':' || c == '&')
			return "a literal ':' or '&' after an interpolated URL could form a "
			       "scheme; "
			       "put a '/', '?' or '#' before it";
		if (fixes)
			s->url = TMPL__URL_FIXED;
		break;
	default:
		break;
	}
	return NULL;
}

/*
 * One byte of raw text: looks for the matching end tag "</script" or "</style" followed
 * by a space, '/' or '>'. "<!--" in a script switches browsers to the escaped script
 * states where "</script>" may not end it; the tracker does not follow those, so it
 * refuses them. Returns an error sentence or NULL.
 */
static const char *
tmpl_rawtext_byte(struct tmpl__hstate *s, unsigned char c)
{
	const char *end = s->raw == TMPL__RAW_SCRIPT ? "</script" : "</style";
	size_t n = strlen(end);

	if (s->raw == TMPL__RAW_SCRIPT) {
		if (c == (unsigned char)"<!--"[s->escmatch])
			s->escmatch++;
		else
			s->escmatch = c == '<' ? 1 : 0;
		if (s->escmatch == 4)
			return "'<!--' inside <script> is not supported";
	}

	if (s->rawmatch == n) {
		if (tmpl_is_space(c) || c == '/' || c == '>') {
			s->is_end = 1;
			s->raw = TMPL__RAW_NONE;
			tmpl_name_reset(s);
			s->mode = TMPL__H_BETWEEN_ATTRS;
			if (c == '>')
				tmpl_tag_end(s);
			return NULL;
		}
		s->rawmatch = 0;
	}
	if (tmpl_lower(c) == (unsigned char)end[s->rawmatch])
		s->rawmatch++;
	else
		s->rawmatch = c == '<' ? 1 : 0;
	return NULL;
}

/* Advances the state machine by one byte. Returns an error sentence on a forbidden
 * byte, else NULL. */
static const char *
tmpl_html_byte(struct tmpl__hstate *s, unsigned char c)
{
	const char *why;

	switch (s->mode) {
	case TMPL__H_TEXT:
		if (c == '<')
			s->mode = TMPL__H_LT;
		break;
	case TMPL__H_LT:
		if (s->text_in != TMPL__RAW_NONE && (tmpl_is_alpha(c) || c == '!' || c == '?'))
			return tmpl_why_text_only;
		if (tmpl_is_alpha(c)) {
			s->is_end = 0;
			tmpl_name_reset(s);
			tmpl_name_add(s, c);
			s->mode = TMPL__H_TAG_NAME;
		} else if (c == '/') {
			s->mode = TMPL__H_END_OPEN;
		} else if (c == '!') {
			s->mode = TMPL__H_MARKUP;
		} else if (c == '?') {
			s->mode = TMPL__H_BOGUS;
		} else if (c != '<') {
			s->mode = TMPL__H_TEXT;
		}
		break;
	case TMPL__H_END_OPEN:
		if (s->text_in != TMPL__RAW_NONE && !tmpl_is_alpha(c))
			return tmpl_why_text_only;
		if (tmpl_is_alpha(c)) {
			s->is_end = 1;
			tmpl_name_reset(s);
			tmpl_name_add(s, c);
			s->mode = TMPL__H_TAG_NAME;
		} else {
			s->mode = c == '>' ? TMPL__H_TEXT : TMPL__H_BOGUS;
		}
		break;
	case TMPL__H_MARKUP:
		s->mode = c == '-' ? TMPL__H_MARKUP_DASH : c == '>' ? TMPL__H_TEXT : TMPL__H_BOGUS;
		break;
	case TMPL__H_MARKUP_DASH:
		if (c == '-') {
			s->mode = TMPL__H_COMMENT;
			s->dashes = 2; /* "<!-->" and "<!--->" close at once */
		} else {
			s->mode = c == '>' ? TMPL__H_TEXT : TMPL__H_BOGUS;
		}
		break;
	case TMPL__H_COMMENT:
		if (c == '-') {
			if (s->dashes < UINT8_MAX)
				s->dashes++;
		} else if (c == '>' && s->dashes >= 2) {
			s->mode = TMPL__H_TEXT;
			s->dashes = 0;
		} else if (c == '!' && s->dashes >= 2) {
			s->mode = TMPL__H_COMMENT_BANG;
		} else {
			s->dashes = 0;
		}
		break;
	case TMPL__H_COMMENT_BANG:
		s->mode = c == '>' ? TMPL__H_TEXT : TMPL__H_COMMENT;
		s->dashes = c == '-' ? 1 : 0;
		break;
	case TMPL__H_BOGUS:
		if (c == '>')
			s->mode = TMPL__H_TEXT;
		break;
	case TMPL__H_TAG_NAME:
		if (tmpl_is_space(c) || c == '/') {
			return tmpl_tag_named(s);
		} else if (c == '>') {
			if ((why = tmpl_tag_named(s)) != NULL)
				return why;
			tmpl_tag_end(s);
		} else {
			tmpl_name_add(s, c);
		}
		break;
	case TMPL__H_BETWEEN_ATTRS:
		if (c == '>') {
			tmpl_tag_end(s);
		} else if (!tmpl_is_space(c) && c != '/') {
			tmpl_name_reset(s);
			tmpl_name_add(s, c);
			s->mode = TMPL__H_ATTR_NAME;
		}
		break;
	case TMPL__H_ATTR_NAME:
		if (tmpl_is_space(c)) {
			s->mode = TMPL__H_AFTER_ATTR_NAME;
		} else if (c == '/') {
			s->mode = TMPL__H_BETWEEN_ATTRS;
		} else if (c == '>') {
			tmpl_tag_end(s);
		} else if (c == '=') {
			tmpl_attr_named(s);
			s->mode = TMPL__H_BEFORE_VALUE;
		} else {
			tmpl_name_add(s, c);
		}
		break;
	case TMPL__H_AFTER_ATTR_NAME:
		if (c == '/') {
			s->mode = TMPL__H_BETWEEN_ATTRS;
		} else if (c == '=') {
			tmpl_attr_named(s);
			s->mode = TMPL__H_BEFORE_VALUE;
		} else if (c == '>') {
			tmpl_tag_end(s);
		} else if (!tmpl_is_space(c)) {
			tmpl_name_reset(s);
			tmpl_name_add(s, c);
			s->mode = TMPL__H_ATTR_NAME;
		}
		break;
	case TMPL__H_BEFORE_VALUE:
		if (c == '"')
			s->mode = TMPL__H_VALUE_DQ;
		else if (c == '\'')
			s->mode = TMPL__H_VALUE_SQ;
		else if (c == '>')
			tmpl_tag_end(s);
		else if (!tmpl_is_space(c))
			s->mode = TMPL__H_VALUE_UNQ;
		break;
	case TMPL__H_VALUE_DQ:
	case TMPL__H_VALUE_SQ:
		if (c == (s->mode == TMPL__H_VALUE_DQ ? '"' : '\'')) {
			s->mode = TMPL__H_BETWEEN_ATTRS;
			s->attr = TMPL__ATTR_PLAIN;
			s->url = TMPL__URL_START;
			tmpl_name_reset(s);
		} else if (s->attr == TMPL__ATTR_URL) {
			return tmpl_url_byte(s, c);
		}
		break;
	case TMPL__H_VALUE_UNQ:
		if (tmpl_is_space(c))
			s->mode = TMPL__H_BETWEEN_ATTRS;
		else if (c == '>')
			tmpl_tag_end(s);
		break;
	case TMPL__H_RAWTEXT:
		return tmpl_rawtext_byte(s, c);
	default:
		break;
	}
	return NULL;
}

long
tmpl__html_advance(struct tmpl__hstate *s, const char *p, size_t n, const char **why)
{
	size_t i;

	*why = NULL;
	for (i = 0; i < n; i++)
		if ((*why = tmpl_html_byte(s, (unsigned char)p[i])) != NULL)
			return (long)i;
	return -1;
}

int
tmpl__html_interp(struct tmpl__hstate *s, bool raw, const char **why)
{
	*why = NULL;
	if (raw && (s->mode != TMPL__H_TEXT || s->text_in != TMPL__RAW_NONE)) {
		*why = "{{html:...}} is allowed only in text, not in a tag, attribute or "
		       "text-only element";
		return -1;
	}
	switch (s->mode) {
	case TMPL__H_TEXT:
		return TMPL__ESC_TEXT;
	case TMPL__H_VALUE_DQ:
	case TMPL__H_VALUE_SQ:
		if (s->attr == TMPL__ATTR_FORBIDDEN) {
			*why = "interpolation in an event handler, style or srcdoc attribute";
			return -1;
		}
		if (s->attr == TMPL__ATTR_PLAIN)
			return TMPL__ESC_ATTR;
		switch (s->url) {
		case TMPL__URL_START:
			s->url = TMPL__URL_DYNAMIC;
			return TMPL__ESC_URL;
		case TMPL__URL_FIXED:
			return TMPL__ESC_URL_PART;
		default:
			*why = "interpolation in a URL attribute must start the value or follow "
			       "a literal ':', '/', '?' or '#'";
			return -1;
		}
	case TMPL__H_BEFORE_VALUE:
	case TMPL__H_VALUE_UNQ:
		*why = "interpolation in an unquoted attribute value";
		return -1;
	default:
		*why = NULL;
		break;
	}
	switch (s->mode) {
	case TMPL__H_LT:
	case TMPL__H_END_OPEN:
	case TMPL__H_TAG_NAME:
		*why = "interpolation in a tag name";
		break;
	case TMPL__H_RAWTEXT:
		*why = s->raw == TMPL__RAW_SCRIPT ? "interpolation inside <script>"
		                                  : "interpolation inside <style>";
		break;
	case TMPL__H_MARKUP:
	case TMPL__H_MARKUP_DASH:
	case TMPL__H_COMMENT:
	case TMPL__H_COMMENT_BANG:
	case TMPL__H_BOGUS:
		*why = "interpolation inside an HTML comment or declaration";
		break;
	default:
		*why = "interpolation inside a tag, outside a quoted attribute value";
		break;
	}
	return -1;
}

bool
tmpl__hstate_same(const struct tmpl__hstate *a, const struct tmpl__hstate *b)
{
	if (a->mode != b->mode || a->text_in != b->text_in)
		return false;
	switch (a->mode) {
	case TMPL__H_TAG_NAME:
	case TMPL__H_ATTR_NAME:
	case TMPL__H_AFTER_ATTR_NAME:
		if (a->namelen != b->namelen || memcmp(a->name, b->name, sizeof(a->name)) != 0)
			return false;
		/* fall through */
	case TMPL__H_BETWEEN_ATTRS:
	case TMPL__H_BEFORE_VALUE:
	case TMPL__H_VALUE_UNQ:
		return a->is_end == b->is_end && a->raw == b->raw;
	case TMPL__H_VALUE_DQ:
	case TMPL__H_VALUE_SQ:
		return a->is_end == b->is_end && a->raw == b->raw && a->attr == b->attr &&
		       (a->attr != TMPL__ATTR_URL || a->url == b->url);
	case TMPL__H_COMMENT:
		/* only 0, 1 and "2 or more" dashes behave differently */
		return (a->dashes < 2 ? a->dashes : 2) == (b->dashes < 2 ? b->dashes : 2);
	case TMPL__H_RAWTEXT:
		return a->raw == b->raw && a->rawmatch == b->rawmatch && a->escmatch == b->escmatch;
	default:
		return true;
	}
}

const char *
tmpl__hstate_describe(const struct tmpl__hstate *s)
{
	switch (s->mode) {
	case TMPL__H_TEXT:
		return s->text_in == TMPL__RAW_NONE ? "text" : "a text-only element like <title>";
	case TMPL__H_VALUE_DQ:
	case TMPL__H_VALUE_SQ:
		return "a quoted attribute value";
	case TMPL__H_RAWTEXT:
		return s->raw == TMPL__RAW_SCRIPT ? "a <script> element" : "a <style> element";
	case TMPL__H_MARKUP:
	case TMPL__H_MARKUP_DASH:
	case TMPL__H_COMMENT:
	case TMPL__H_COMMENT_BANG:
	case TMPL__H_BOGUS:
		return "an HTML comment or declaration";
	default:
		return "a tag";
	}
}
