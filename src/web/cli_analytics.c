/*
 * cli_analytics: `candor analytics classify`, the User-Agent classifier of visitor
 * analytics on standard input, for operators and tests: one User-Agent a line in,
 * "family<TAB>major<TAB>bot|human" a line out. Reads no data directory and stores
 * nothing. A line longer than LIMIT_UA_BYTES is classified from its first
 * LIMIT_UA_BYTES bytes, as the server does.
 */
#include <stdio.h>
#include <string.h>

#include "analytics/analytics.h"
#include "web/web_int.h"

static const char usage_analytics[] =
    "usage: candor analytics COMMAND\n"
    "Visitor analytics (docs/analytics.md).\n"
    "\n"
    "Commands:\n"
    "  classify    read User-Agent strings on standard input, one a line, and print\n"
    "              family<TAB>major<TAB>bot|human for each\n"
    "\n"
    "Every command has --help.\n";

static const char usage_classify[] =
    "usage: candor analytics classify < FILE\n"
    "Reads User-Agent strings on standard input, one a line, and prints for each\n"
    "  family<TAB>major<TAB>bot|human\n"
    "family is one of Chrome, Chrome Mobile, Firefox, Firefox Mobile, Safari,\n"
    "Mobile Safari, Edge, Opera, Samsung Internet, Yandex, UC Browser, Other; major is\n"
    "the major version (0 when unknown); bot marks known bots, crawlers, HTTP libraries,\n"
    "headless browsers and an empty line. Only the first 1024 bytes of a line are read.\n";

static int
run_analytics(const struct cli_args *a)
{
	fputs(usage_analytics, stderr);
	return 2;
}

static int
run_analytics_classify(const struct cli_args *a)
{
	char line[LIMIT_UA_BYTES + 2];
	struct analytics_ua ua;
	size_t n;
	bool cut = false;
	int c;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strlen(line); /* a NUL byte in the line ends it here */
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(stdin))
			cut = true; /* longer than the buffer: the rest is skipped below */
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		analytics_classify_ua(line, n, &ua);
		printf("%s\t%d\t%s\n", analytics_family_name(ua.family), ua.major,
		    ua.bot ? "bot" : "human");
		if (cut) {
			while ((c = getchar()) != EOF && c != '\n')
				;
			cut = false;
		}
	}
	if (ferror(stdin)) {
		CLI_ERR("cannot read standard input\n");
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* "analytics classify" before "analytics": main.c takes the first name that matches. */
const struct cli_command cli_analytics_commands[] = {
    {"analytics classify", "", run_analytics_classify, usage_classify},
    {"analytics", "", run_analytics, usage_analytics},
    {NULL, NULL, NULL, NULL},
};
