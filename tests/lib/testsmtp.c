/* testsmtp: aiosmtpd as the SMTP peer of integration tests (see testsmtp.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testsmtp.h"

static pid_t smtp_pid;

int
t_smtp_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_ASSERT(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	T_ASSERT(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool
smtp_answers(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int
t_smtp_start(const char *box)
{
	int port = t_smtp_free_port();

	t_smtp_start_at(port, box);
	return port;
}

void
t_smtp_start_at(int port, const char *box)
{
	char listen[64];
	int i;

	/* the Mailbox handler makes box/{tmp,new,cur} only when box does not exist */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	fflush(NULL);
	if ((smtp_pid = fork()) == 0) {
		execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l", listen, "-c",
		    "aiosmtpd.handlers.Mailbox", box, (char *)NULL);
		_exit(127);
	}
	T_ASSERT(smtp_pid > 0);
	atexit(t_smtp_stop);
	for (i = 0; i < 200 && !smtp_answers(port); i++)
		usleep(50000);
	if (!smtp_answers(port))
		T_FAIL("aiosmtpd did not start on port %d (is python3-aiosmtpd installed?)", port);
}

void
t_smtp_stop(void)
{
	int status;

	if (smtp_pid > 0) {
		kill(smtp_pid, SIGTERM);
		waitpid(smtp_pid, &status, 0);
		smtp_pid = 0;
	}
}

void
t_smtp_configure(const char *dir, int port)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	T_ASSERT((f = fopen(path, "a")) != NULL);
	fprintf(f, "\n[smtp]\nurl = smtp://127.0.0.1:%d\nfrom = candor@example.org\n"
		   "starttls = no\n", port);
	T_ASSERT(fclose(f) == 0);
}

/* Calls fn on the text of each message in box/new holding every needle; stops when fn
 * returns false. Returns how many matched. */
static int
smtp_scan(const char *box, const char *const *needles, size_t nn, char **first)
{
	char dir[1200], path[1500], *txt;
	struct dirent *d;
	DIR *dh;
	size_t i;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/new", box);
	if ((dh = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((txt = t_read_file(path, NULL)) == NULL)
			continue;
		for (i = 0; i < nn && strstr(txt, needles[i]); i++)
			;
		if (i == nn) {
			n++;
			if (first && *first == NULL) {
				*first = txt;
				txt = NULL;
			}
		}
		free(txt);
	}
	closedir(dh);
	return n;
}

int
t_smtp_count(const char *box, const char *needle, ...)
{
	const char *v[16];
	size_t n = 0;
	va_list ap;

	va_start(ap, needle);
	for (; needle && n < 16; needle = va_arg(ap, const char *))
		v[n++] = needle;
	va_end(ap);
	return smtp_scan(box, v, n, NULL);
}

char *
t_smtp_find(const char *box, const char *needle, ...)
{
	const char *v[16];
	char *first = NULL;
	size_t n = 0;
	va_list ap;

	va_start(ap, needle);
	for (; needle && n < 16; needle = va_arg(ap, const char *))
		v[n++] = needle;
	va_end(ap);
	smtp_scan(box, v, n, &first);
	return first;
}
