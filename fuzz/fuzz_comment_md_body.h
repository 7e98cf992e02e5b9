/*
 * fuzz_comment_md_body: one fuzz iteration for markdown_to_html_ugc, the renderer of
 * comments (visitor input). Shared by fuzz_comment_md.c and tests/unit/test_fuzz_replay.c
 * (see fuzz_form_body.h for how).
 *
 * The input, cut at LIMIT_COMMENT_CHARS * 4 bytes (what a comment can hold), is the
 * markdown, in a heap block of exactly its size. Invariants (abort() if not):
 * - the renderer returns HTML (it never fails on any input but out of memory);
 * - every link starts '<a rel="nofollow ugc noopener" href="';
 * - no element that runs script or embeds another document: <script, <iframe, <object,
 *   <embed, <svg, <style, <form, <input, <meta, <base (any case);
 * - no href or src whose value begins with javascript:, vbscript:, file: or data:,
 *   except cmark's safe raster images (data:image/png, gif, jpeg, webp), which its
 *   safe mode lets through in links and images alike: harmless (no script, and browsers
 *   do not navigate to data: URLs from a page).
 */
#ifndef FUZZ_COMMENT_MD_BODY_H
#define FUZZ_COMMENT_MD_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "fuzz_check.h"

static bool
fuzz_comment_md_bad_url(const char *v)
{
	static const char *const bad[] = {"javascript:", "vbscript:", "file:", NULL};
	size_t i;

	for (i = 0; bad[i]; i++)
		if (strncasecmp(v, bad[i], strlen(bad[i])) == 0)
			return true;
	if (strncasecmp(v, "data:", 5) == 0)
		return !(strncasecmp(v, "data:image/png", 14) == 0 ||
			 strncasecmp(v, "data:image/gif", 14) == 0 ||
			 strncasecmp(v, "data:image/jpeg", 15) == 0 ||
			 strncasecmp(v, "data:image/webp", 15) == 0);
	return false;
}

static void
fuzz_comment_md_one(const uint8_t *data, size_t size)
{
	static const char *const banned[] = {"<script", "<iframe", "<object", "<embed", "<svg",
	    "<style", "<form", "<input", "<meta", "<base", NULL};
	static const char link[] = "<a rel=\"nofollow ugc noopener\" href=\"";
	char *md, *html, *p, *lower;
	size_t i, n = size > LIMIT_COMMENT_CHARS * 4 ? LIMIT_COMMENT_CHARS * 4 : size;

	if ((md = malloc(n ? n : 1)) == NULL)
		return;
	memcpy(md, data, n);
	html = markdown_to_html_ugc(md, n);
	FUZZ_CHECK(html != NULL);
	lower = strdup(html);
	FUZZ_CHECK(lower != NULL);
	for (p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (i = 0; banned[i]; i++)
		FUZZ_CHECK(strstr(lower, banned[i]) == NULL);
	for (p = html; (p = strstr(p, "<a ")) != NULL; p++)
		FUZZ_CHECK(strncmp(p, link, sizeof(link) - 1) == 0);
	for (p = html; (p = strstr(p, "href=\"")) != NULL; p++)
		FUZZ_CHECK(!fuzz_comment_md_bad_url(p + 6));
	for (p = html; (p = strstr(p, "src=\"")) != NULL; p++)
		FUZZ_CHECK(!fuzz_comment_md_bad_url(p + 5));
	free(lower);
	free(html);
	free(md);
}

#endif
