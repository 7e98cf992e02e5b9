/* time: clocks and the date formats candor prints (RFC 3339 for feeds, HTTP dates). */
#include <time.h>

#include "core/core.h"

int64_t
time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
time_rfc3339(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
time_human_date(int64_t t, char out[32])
{
	static const char *const months[] = {"January", "February", "March", "April",
	    "May", "June", "July", "August", "September", "October", "November", "December"};
	time_t tt = (time_t)t;
	struct tm tm;

	char tmp[64];

	gmtime_r(&tt, &tm);
	snprintf(tmp, sizeof(tmp), "%d %s %d", tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900);
	str_copy(out, tmp, 32);
}

void
time_http(int64_t t, char out[30])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	char tmp[64];

	gmtime_r(&tt, &tm);
	snprintf(tmp, sizeof(tmp), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
	    tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	str_copy(out, tmp, 30);
}
