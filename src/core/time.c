/* time: clocks and the date formats candor prints (RFC 3339 for feeds, HTTP dates). */
#include <string.h>
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

enum err
time_parse_date(const char *s, int64_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char y[5], m[3], d[3];
	long long yy, mm, dd;
	struct tm tm;
	bool leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return ERR_INVAL;
	memcpy(y, s, 4), y[4] = '\0';
	memcpy(m, s + 5, 2), m[2] = '\0';
	memcpy(d, s + 8, 2), d[2] = '\0';
	if (strnum(y, 1970, 9999, &yy) != ERR_OK || strnum(m, 1, 12, &mm) != ERR_OK ||
	    strnum(d, 1, 31, &dd) != ERR_OK)
		return ERR_INVAL;
	leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
	if (dd > mdays[mm - 1] + (mm == 2 && leap))
		return ERR_INVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)yy - 1900;
	tm.tm_mon = (int)mm - 1;
	tm.tm_mday = (int)dd;
	*out = (int64_t)timegm(&tm);
	return ERR_OK;
}
