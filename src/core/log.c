/*
 * log: one line per event, "TIME LEVEL message", to stderr (the access log is written by
 * http/server.c, to stderr or its own file). Writes are a single write(2) per line under
 * a mutex so lines from several threads never interleave.
 * Callers pass user input through log_escape.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

static const int log_fd = 2;
static const enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	char line[2048], ts[21];
	va_list ap;
	int n, m;

	if (lvl < log_min)
		return;
	time_rfc3339(time_now(), ts);
	n = snprintf(line, sizeof(line), "%s %s ", ts, names[lvl]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&log_lock);
	if (write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to report a failing log */
	}
	pthread_mutex_unlock(&log_lock);
}

void
log_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"') {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			buf_append(b, e, 4);
		} else {
			buf_putc(b, (char)c);
		}
	}
}
