/*
 * svg: the analytics chart, page views and visitors per day, drawn on the server as an
 * SVG document with no script and no external reference (B8: no request to anyone).
 * Accessible: role="img" labelled by its <title> and <desc>, which state the period and
 * the totals as text; the two lines differ by dash as well as colour; axis labels are
 * real text. Every piece of text that is not a number we printed is escaped. A hidden
 * figure (below a public report's k) is not drawn: the line breaks there, and the desc
 * says how many days are not shown. Styled by presentation attributes only: the site's
 * Content-Security-Policy (style-src 'self') refuses a <style> element or a style
 * attribute in the page the chart is part of.
 */
#include <string.h>

#include "analytics/report.h"

#define SVG_W 720
#define SVG_H 260
#define SVG_LEFT 64
#define SVG_RIGHT 16
#define SVG_TOP 28
#define SVG_BOTTOM 40
#define SVG_VIEWS "#1f5fa8"    /* the page views line */
#define SVG_VISITORS "#b4451f" /* the visitors line, dashed too */
#define SVG_GRID "#999"

/* Text for XML character data and quoted attributes. */
static void
svg_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

/* The smallest "round" number (1, 2 or 5 times a power of ten) at least n (at least 1). */
static int64_t
svg_nice(int64_t n)
{
	int64_t p = 1;

	if (n < 1)
		return 1;
	for (;;) {
		if (n <= p)
			return p;
		if (n <= 2 * p)
			return 2 * p;
		if (n <= 5 * p)
			return 5 * p;
		if (p > INT64_MAX / 100)
			return n;
		p *= 10;
	}
}

static void
svg_figure_text(struct buf *out, const struct report *r, struct report_figure f)
{
	if (f.hidden)
		buf_printf(out, "fewer than %d", r->k);
	else
		buf_printf(out, "%lld", (long long)f.n);
}

/* One line: a path through the shown days, broken at hidden ones. */
static void
svg_line(struct buf *out, const struct report *r, bool visitors, int64_t ymax,
    const char *cls, const char *colour, const char *dash)
{
	const struct report_figure *f;
	double x, y, w = SVG_W - SVG_LEFT - SVG_RIGHT, h = SVG_H - SVG_TOP - SVG_BOTTOM;
	bool pen = false;
	size_t i;

	buf_printf(out, "<path class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"",
	    cls, colour, dash);
	for (i = 0; i < r->ndays; i++) {
		f = visitors ? &r->days[i].visitors : &r->days[i].views;
		if (f->hidden) {
			pen = false;
			continue;
		}
		x = SVG_LEFT + (r->ndays > 1 ? w * (double)i / (double)(r->ndays - 1) : w / 2);
		y = SVG_TOP + h - h * (double)f->n / (double)ymax;
		buf_printf(out, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
		if (r->ndays == 1)
			buf_printf(out, "L%.1f %.1f ", x + 1, y);
		pen = true;
	}
	buf_puts(out, "\"/>\n");
}

void
report_svg(const struct report *r, const char *title, struct buf *out)
{
	char from[11], to[11], date[11];
	double w = SVG_W - SVG_LEFT - SVG_RIGHT, h = SVG_H - SVG_TOP - SVG_BOTTOM, x, y;
	int64_t max = 0, ymax;
	size_t i, j, hidden = 0, nlabels;
	int t;

	for (i = 0; i < r->ndays; i++) {
		if (!r->days[i].views.hidden && r->days[i].views.n > max)
			max = r->days[i].views.n;
		if (!r->days[i].visitors.hidden && r->days[i].visitors.n > max)
			max = r->days[i].visitors.n;
		if (r->days[i].views.hidden || r->days[i].visitors.hidden)
			hidden++;
	}
	ymax = svg_nice(max);
	report_day_text(r->from, from);
	report_day_text(r->to, to);
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
			"viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
			"aria-labelledby=\"chart-title chart-desc\" "
			"font-family=\"sans-serif\" font-size=\"12\" fill=\"currentColor\">\n",
	    SVG_W, SVG_H, SVG_W, SVG_H);
	buf_puts(out, "<title id=\"chart-title\">");
	svg_escape(out, title);
	buf_puts(out, "</title>\n<desc id=\"chart-desc\">");
	buf_printf(out, "Page views and visitors per day from %s to %s: ", from, to);
	svg_figure_text(out, r, r->views);
	buf_puts(out, " page views and ");
	svg_figure_text(out, r, r->visitors);
	buf_puts(out, " visitors in all.");
	if (hidden)
		buf_printf(out, " %zu of %zu days had fewer than %d and are not drawn.", hidden,
		    r->ndays, r->k);
	buf_puts(out, "</desc>\n");
	/* horizontal grid and the count axis: 0, half, top */
	for (t = 0; t <= 2; t++) {
		y = SVG_TOP + h - h * t / 2.0;
		buf_printf(out, "<line class=\"grid\" stroke=\"" SVG_GRID "\" stroke-width=\"1\" "
				"x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"%s/>\n",
		    SVG_LEFT, y, SVG_W - SVG_RIGHT, y, t ? " stroke-dasharray=\"2 4\"" : "");
		buf_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n",
		    SVG_LEFT - 6, y + 4, (long long)(ymax * t / 2));
	}
	/* dates under the axis: every day up to 5 days, else 5 labels, first and last */
	nlabels = r->ndays < 5 ? r->ndays : 5;
	for (j = 0; j < nlabels; j++) {
		i = nlabels > 1 ? (j * (r->ndays - 1) + (nlabels - 1) / 2) / (nlabels - 1) : 0;
		x = SVG_LEFT + (r->ndays > 1 ? w * (double)i / (double)(r->ndays - 1) : w / 2);
		report_day_text(r->days[i].day, date);
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n", x,
		    SVG_H - SVG_BOTTOM + 18, j + 1 == nlabels && j > 0 ? "end" : "middle", date);
	}
	svg_line(out, r, false, ymax, "views", SVG_VIEWS, "");
	svg_line(out, r, true, ymax, "visitors", SVG_VISITORS, " stroke-dasharray=\"6 3\"");
	/* legend */
	buf_printf(out, "<line class=\"views\" stroke=\"" SVG_VIEWS "\" x1=\"%d\" y1=\"12\" x2=\"%d\" y2=\"12\" "
			"stroke-width=\"2\"/><text x=\"%d\" y=\"16\">Page views</text>\n",
	    SVG_LEFT, SVG_LEFT + 24, SVG_LEFT + 30);
	buf_printf(out, "<line class=\"visitors\" stroke=\"" SVG_VISITORS "\" x1=\"%d\" y1=\"12\" x2=\"%d\" y2=\"12\" "
			"stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
			"<text x=\"%d\" y=\"16\">Visitors</text>\n",
	    SVG_LEFT + 130, SVG_LEFT + 154, SVG_LEFT + 160);
	buf_puts(out, "</svg>\n");
}
