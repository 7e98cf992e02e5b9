/*
 * markdown: CommonMark rendering with cmark in its default safe mode: raw HTML is
 * replaced by a comment and javascript:/vbscript:/file:/data: links (except images)
 * are dropped. Output is HTML our code produced, so templates may emit it with the
 * {{html:...}} marker. Rendering happens when content is written, not per request.
 */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

char *
markdown_to_html(const char *md, size_t len)
{
	char *html = cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	char *copy;

	/* cmark allocates with its own allocator (malloc by default); hand back a copy
	 * owned by plain malloc so callers never depend on that detail. */
	if (html == NULL)
		return NULL;
	copy = strdup(html);
	free(html);
	return copy;
}

char *
markdown_excerpt(const char *md, size_t len, size_t max_chars)
{
	cmark_node *doc, *node;
	cmark_iter *it;
	cmark_event_type ev;
	struct buf b;
	size_t chars = 0, cut = 0;
	bool in_para = false, done = false;

	buf_init(&b);
	if ((doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT)) == NULL)
		return NULL;
	it = cmark_iter_new(doc);
	while (!done && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_PARAGRAPH:
			if (ev == CMARK_EVENT_ENTER)
				in_para = true;
			else if (in_para)
				done = true;
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if (in_para)
				buf_puts(&b, cmark_node_get_literal(node));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			if (in_para)
				buf_putc(&b, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	/* cut at a word boundary, counting code points */
	for (size_t i = 0; b.data && i < b.len; i++) {
		if (((unsigned char)b.data[i] & 0xc0) == 0x80)
			continue;
		if (chars == max_chars) {
			b.len = cut ? cut : i;
			b.data[b.len] = '\0';
			buf_puts(&b, "…");
			break;
		}
		if (b.data[i] == ' ')
			cut = i;
		chars++;
	}
	return buf_take(&b, NULL);
}

/*
 * In cmark's safe output the text "<a href=" can only come from a link node: text, code
 * and attribute values have their '<' and '"' escaped, and raw HTML is omitted. So adding
 * the rel attribute there reaches every link and nothing else.
 */
char *
markdown_to_html_ugc(const char *md, size_t len)
{
	static const char from[] = "<a href=\"", to[] = "<a rel=\"nofollow ugc noopener\" href=\"";
	char *html = markdown_to_html(md, len), *p, *q;
	struct buf b;

	if (html == NULL)
		return NULL;
	buf_init(&b);
	for (p = html; (q = strstr(p, from)) != NULL; p = q + sizeof(from) - 1) {
		buf_append(&b, p, (size_t)(q - p));
		buf_puts(&b, to);
	}
	buf_puts(&b, p);
	free(html);
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	return b.data ? b.data : strdup("");
}

char *
markdown_text(const char *md, size_t len)
{
	cmark_node *doc, *node;
	cmark_iter *it;
	cmark_event_type ev;
	struct buf b;
	const char *lit;

	buf_init(&b);
	if ((doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT)) == NULL)
		return NULL;
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			if ((lit = cmark_node_get_literal(node)) != NULL)
				buf_puts(&b, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(&b, ' ');
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_ITEM:
			/* raw HTML (blocks and inline) is not shown, so it is not indexed */
			if (ev == CMARK_EVENT_EXIT && b.len && b.data[b.len - 1] != '\n')
				buf_putc(&b, '\n');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}
