/*
 * transport: how a message leaves candor. SMTP through libcurl (smtp:// with STARTTLS
 * required when [smtp] starttls = yes, or smtps:// with TLS from the first byte; login
 * when a username is set), or the Maildir DIR/maildir when no relay is configured.
 *
 * Invariants: headers are made here from checked values only (the subject was refused
 * at enqueue if it held CR, LF or another control character; a non-ASCII subject is
 * sent as RFC 2047 encoded words). A Maildir file is named by the message's token, is
 * written in tmp/, fsynced and renamed into new/, and the directory fsynced: a message
 * is either wholly in new/ or not there, and a second delivery of the same row finds it.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_int.h"

enum err
mail_transport_init(const struct config *cfg, struct mail_transport *t, char *errbuf,
    size_t errsize)
{
	char path[1100];
	const char *at;
	ssize_t r;
	int fd;

	memset(t, 0, sizeof(*t));
	t->starttls = cfg->smtp_starttls;
	str_copy(t->url, cfg->smtp_url, sizeof(t->url));
	t->lease_s = t->url[0] ? LIMIT_MAIL_LEASE_S : LIMIT_MAIL_LEASE_MAILDIR_S;
	str_copy(t->from, cfg->smtp_from, sizeof(t->from));
	str_copy(t->username, cfg->smtp_username, sizeof(t->username));
	config_path(cfg, "maildir", t->maildir, sizeof(t->maildir));
	if (t->url[0] && strncmp(t->url, "smtp://", 7) && strncmp(t->url, "smtps://", 8)) {
		snprintf(errbuf, errsize, "[smtp] url must start with smtp:// or smtps://");
		return ERR_INVAL;
	}
	at = strchr(t->from, '@');
	if (at == NULL || at == t->from || strpbrk(t->from, " \t\r\n<>\"") || !at[1]) {
		snprintf(errbuf, errsize, "[smtp] from must be a plain address like "
					  "candor@example.org");
		return ERR_INVAL;
	}
	if (cfg->smtp_password_file[0]) {
		config_path(cfg, cfg->smtp_password_file, path, sizeof(path));
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(errbuf, errsize, "cannot read the [smtp] password file %s: %s", path,
			    strerror(errno));
			return ERR_INVAL;
		}
		r = read(fd, t->password, sizeof(t->password) - 1);
		close(fd);
		if (r < 0 || (size_t)r >= sizeof(t->password) - 1) {
			mail_transport_wipe(t);
			snprintf(errbuf, errsize, "the [smtp] password file %s is unreadable or too "
						  "long", path);
			return ERR_INVAL;
		}
		t->password[r] = '\0';
		t->password[strcspn(t->password, "\r\n")] = '\0';
	}
	return ERR_OK;
}

void
mail_transport_wipe(struct mail_transport *t)
{
	sodium_memzero(t->password, sizeof(t->password));
}

/* Subject: as is when printable ASCII; otherwise encoded words of at most 45 bytes of
 * text each (whole UTF-8 characters), folded onto continuation lines. */
static void
mail_subject(struct buf *out, const char *sub, const char *eol)
{
	char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
	size_t n = strlen(sub), i, start, len;
	bool ascii = true;

	for (i = 0; i < n; i++)
		if ((unsigned char)sub[i] >= 0x80)
			ascii = false;
	buf_puts(out, "Subject: ");
	if (ascii) {
		buf_puts(out, sub);
		buf_puts(out, eol);
		return;
	}
	for (start = 0; start < n; start += len) {
		len = n - start < 45 ? n - start : 45;
		while (start + len < n && ((unsigned char)sub[start + len] & 0xc0) == 0x80)
			len--; /* do not split a character */
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)sub + start, len,
		    sodium_base64_VARIANT_ORIGINAL);
		if (start)
			buf_printf(out, "%s ", eol);
		buf_printf(out, "=?UTF-8?B?%s?=", b64);
	}
	buf_puts(out, eol);
}

/* Appends text with its line ends as eol (the body was checked at enqueue: no CR). */
static void
mail_lines(struct buf *out, const char *text, const char *eol)
{
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '\n')
			buf_puts(out, eol);
		else
			buf_putc(out, *p);
	}
	if (p != text && p[-1] != '\n')
		buf_puts(out, eol);
}

/* Appends data as base64 in lines of 76 characters (RFC 2045 6.8): an HTML part may
 * hold lines longer than SMTP allows. */
static void
mail_base64(struct buf *out, const char *data, const char *eol)
{
	char line[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
	size_t n = strlen(data), i, len;

	for (i = 0; i < n; i += len) {
		len = n - i < 57 ? n - i : 57;
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)data + i, len,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_puts(out, line);
		buf_puts(out, eol);
	}
}

void
mail__format(const struct mail_transport *t, const struct mail__msg *m, bool crlf,
    struct buf *out)
{
	const char *eol = crlf ? "\r\n" : "\n";
	char date[64];
	time_t tt = (time_t)m->created_at;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "Date: %s%s", date, eol);
	buf_printf(out, "From: %s%s", t->from, eol);
	buf_printf(out, "To: %s%s", m->to, eol);
	mail_subject(out, m->subject, eol);
	buf_printf(out, "Message-ID: <%s@%s>%s", m->token, strchr(t->from, '@') + 1, eol);
	if (m->unsubscribe && m->unsubscribe[0]) {
		/* RFC 2369 and RFC 8058: one POST to the https link unsubscribes */
		buf_printf(out, "List-Unsubscribe: %s%s", m->unsubscribe, eol);
		buf_printf(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click%s", eol);
	}
	buf_printf(out, "MIME-Version: 1.0%s", eol);
	if (m->html == NULL) {
		buf_printf(out, "Content-Type: text/plain; charset=utf-8%s", eol);
		buf_printf(out, "Content-Transfer-Encoding: 8bit%s", eol);
		buf_printf(out, "Auto-Submitted: auto-generated%s%s", eol, eol);
		mail_lines(out, m->body, eol);
		return;
	}
	/* the boundary is the message's own random token: it cannot occur in base64 or in
	 * a text that never saw it */
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"=_%s\"%s", m->token,
	    eol);
	buf_printf(out, "Auto-Submitted: auto-generated%s%s", eol, eol);
	buf_printf(out, "--=_%s%s", m->token, eol);
	buf_printf(out, "Content-Type: text/plain; charset=utf-8%s", eol);
	buf_printf(out, "Content-Transfer-Encoding: 8bit%s%s", eol, eol);
	mail_lines(out, m->body, eol);
	buf_printf(out, "--=_%s%s", m->token, eol);
	buf_printf(out, "Content-Type: text/html; charset=utf-8%s", eol);
	buf_printf(out, "Content-Transfer-Encoding: base64%s%s", eol, eol);
	mail_base64(out, m->html, eol);
	buf_printf(out, "--=_%s--%s", m->token, eol);
}

/* ------------------------------------------------------------------ Maildir ---- */

static enum err
mail_mkdir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return ERR_OK;
	return ERR_IO;
}

static enum err
mail_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum err e = ERR_OK;

	if (fd < 0)
		return ERR_IO;
	if (fsync(fd) != 0)
		e = ERR_IO;
	close(fd);
	return e;
}

bool
mail__maildir_has(const struct mail_transport *t, const char *token)
{
	char path[1300];
	struct dirent *d;
	size_t n = strlen(token);
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/new/%s", t->maildir, token);
	if (access(path, F_OK) == 0)
		return true;
	/* a mail client moves read messages to cur/ as TOKEN:2,FLAGS */
	snprintf(path, sizeof(path), "%s/cur", t->maildir);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!found && (d = readdir(dir)) != NULL)
		found = strncmp(d->d_name, token, n) == 0 &&
			(d->d_name[n] == '\0' || d->d_name[n] == ':');
	closedir(dir);
	return found;
}

static enum err
mail_send_maildir(const struct mail_transport *t, const struct mail__msg *m, char *why,
    size_t whysize)
{
	char tmp[1300], dst[1300], dir[1200];
	struct buf msg;
	ssize_t w;
	int fd = -1;
	enum err e = ERR_IO;
	static const char *const subdirs[] = {"", "/tmp", "/new", "/cur"};
	size_t i;

	buf_init(&msg);
	for (i = 0; i < COUNTOF(subdirs); i++) {
		snprintf(dir, sizeof(dir), "%s%s", t->maildir, subdirs[i]);
		if (mail_mkdir(dir) != ERR_OK) {
			snprintf(why, whysize, "cannot create %s: %s", dir, strerror(errno));
			goto out;
		}
	}
	if (mail__maildir_has(t, m->token)) {
		e = ERR_OK; /* already delivered by an earlier attempt */
		goto out;
	}
	mail__format(t, m, false, &msg);
	if (msg.failed) {
		e = ERR_NOMEM;
		snprintf(why, whysize, "out of memory");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", t->maildir, m->token);
	snprintf(dst, sizeof(dst), "%s/new/%s", t->maildir, m->token);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whysize, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	w = write(fd, msg.data, msg.len);
	if (w < 0 || (size_t)w != msg.len || fsync(fd) != 0) {
		snprintf(why, whysize, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(why, whysize, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	snprintf(dir, sizeof(dir), "%s/new", t->maildir);
	if (rename(tmp, dst) != 0 || mail_fsync_dir(dir) != ERR_OK) {
		snprintf(why, whysize, "cannot move the message into %s: %s", dir, strerror(errno));
		goto out;
	}
	e = ERR_OK;
out:
	if (fd >= 0)
		close(fd);
	if (msg.data)
		sodium_memzero(msg.data, msg.len);
	buf_free(&msg);
	return e;
}

/* --------------------------------------------------------------------- SMTP ---- */

struct mail_upload {
	const char *data;
	size_t len, off;
};

/* libcurl's progress hook: a non-zero return abandons the transfer (stopping). */
static int
mail_abort_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	return atomic_load((const _Atomic bool *)arg) ? 1 : 0;
}

static size_t
mail_read_cb(char *dst, size_t size, size_t nitems, void *arg)
{
	struct mail_upload *u = arg;
	size_t n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(dst, u->data + u->off, n);
	u->off += n;
	return n;
}

static enum err
mail_send_smtp(const struct mail_transport *t, const struct mail__msg *m, char *why,
    size_t whysize)
{
	char errbuf[CURL_ERROR_SIZE] = "", rcpt[300], from[300];
	struct curl_slist *rcpts = NULL;
	struct mail_upload up;
	struct buf msg;
	CURLcode rc;
	CURL *c;
	enum err e = ERR_IO;

	buf_init(&msg);
	mail__format(t, m, true, &msg);
	if (msg.failed || (c = curl_easy_init()) == NULL) {
		snprintf(why, whysize, "out of memory");
		buf_free(&msg);
		return ERR_NOMEM;
	}
	snprintf(from, sizeof(from), "<%s>", t->from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", m->to);
	rcpts = curl_slist_append(NULL, rcpt);
	up.data = msg.data;
	up.len = msg.len;
	up.off = 0;
	curl_easy_setopt(c, CURLOPT_URL, t->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)LIMIT_MAIL_SMTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (t->abort) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, mail_abort_cb);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)t->abort);
	}
	if (t->starttls && strncmp(t->url, "smtp://", 7) == 0)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (t->username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, t->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, t->password);
	}
	if (rcpts == NULL) {
		snprintf(why, whysize, "out of memory");
		e = ERR_NOMEM;
	} else if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		/* curl's sentence names the server's reply, not the address */
		snprintf(why, whysize, "SMTP: %s%s%s", curl_easy_strerror(rc), errbuf[0] ? ": " : "",
		    errbuf);
		why[strcspn(why, "\r\n")] = '\0';
	} else
		e = ERR_OK;
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpts);
	sodium_memzero(rcpt, sizeof(rcpt));
	if (msg.data)
		sodium_memzero(msg.data, msg.len);
	buf_free(&msg);
	return e;
}

enum err
mail__send(const struct mail_transport *t, const struct mail__msg *m, char *why,
    size_t whysize)
{
	return t->url[0] ? mail_send_smtp(t, m, why, whysize)
			 : mail_send_maildir(t, m, why, whysize);
}
