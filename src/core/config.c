/*
 * config: DIR/candor.conf, an INI file read with inih. Every key is listed in
 * config_keys[] and documented in docs/configuration.md; an unknown key or a bad value
 * is an error naming the key and the line. Numbers go through strnum.
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

enum config_kind { CONFIG_STR, CONFIG_INT, CONFIG_BOOL };

struct config_key {
	const char *section;
	const char *name;
	enum config_kind kind;
	size_t offset;
	size_t size;   /* for strings: the field's size */
	long long min; /* for numbers */
	long long max;
	const char *help; /* one line, written into new config files */
};

#define CSTR(sec, key, field, help) \
	{sec, key, CONFIG_STR, offsetof(struct config, field), \
	    sizeof(((struct config *)0)->field), 0, 0, help}
#define CINT(sec, key, field, lo, hi, help) \
	{sec, key, CONFIG_INT, offsetof(struct config, field), sizeof(int), lo, hi, help}
#define CBOOL(sec, key, field, help) \
	{sec, key, CONFIG_BOOL, offsetof(struct config, field), sizeof(bool), 0, 1, help}

static const struct config_key config_keys[] = {
	CSTR("server", "listen", listen, "address:port to listen on"),
	CINT("server", "threads", threads, 0, LIMIT_THREADS,
	    "request threads; 0 means one per core"),
	CSTR("server", "default_site", default_site,
	    "host of the site served for unknown Host headers; empty: 404 unknown site"),
	CSTR("server", "access_log", access_log, "stderr, off, or a file path"),
	CSTR("server", "trusted_proxies", trusted_proxies,
	    "space-separated proxy IPs whose X-Forwarded-Proto is believed"),
	CINT("server", "connection_limit", connection_limit, 1, 100000,
	    "simultaneous connections"),
	CINT("server", "per_ip_connection_limit", per_ip_connection_limit, 1, 100000,
	    "simultaneous connections from one address"),
	CINT("server", "connection_timeout", connection_timeout, 1, 3600,
	    "seconds an idle connection is kept"),
	CSTR("store", "database", database,
	    "sqlite:FILE (relative to the data directory) or postgresql://USER@HOST:PORT/DB"),
	CSTR("store", "password_file", database_password_file,
	    "file holding the PostgreSQL password (instead of PGPASSWORD)"),
	CSTR("privacy", "key_file", key_file,
	    "master key file (64 bytes, mode 0600), relative to the data directory"),
	CINT("retention", "ip_days", retention_ip_days, 1, 3650,
	    "days an IP address is kept (commenters, logins), then removed"),
	CINT("retention", "unverified_days", retention_unverified_days, 1, 365,
	    "days an account whose email was never verified is kept, then erased"),
	CINT("retention", "sessions", retention_sessions_days, 0, 365,
	    "days an expired session is kept; 0 removes it at the next run"),
	CINT("retention", "analytics_days", retention_analytics_days, 1, 3650,
	    "days raw analytics rows are kept (daily aggregates stay)"),
	CINT("accounts", "session_idle_minutes", session_idle_minutes, 1,
	    LIMIT_SESSION_IDLE_MIN_MAX, "minutes without a request after which a sign-in ends"),
	CINT("accounts", "session_absolute_hours", session_absolute_hours, 1,
	    LIMIT_SESSION_ABSOLUTE_H_MAX, "hours after which a sign-in ends however active"),
	CSTR("smtp", "url", smtp_url,
	    "relay as smtp://host:587 or smtps://host:465; empty: write to DIR/maildir"),
	CSTR("smtp", "from", smtp_from, "sender address of candor's mail"),
	CSTR("smtp", "username", smtp_username, "login at the relay; empty: no login"),
	CSTR("smtp", "password_file", smtp_password_file,
	    "file holding the relay password (relative to the data directory)"),
	CBOOL("smtp", "starttls", smtp_starttls,
	    "yes: refuse to send over smtp:// unless the relay offers STARTTLS"),
	CBOOL("analytics", "enabled", analytics_enabled,
	    "yes: record page views (docs/analytics.md); no: record nothing"),
	CINT("mail", "announce_per_minute", mail_announce_per_minute, 1,
	    LIMIT_ANNOUNCE_PER_MINUTE_MAX,
	    "announcements and policy alerts queued per minute at most (throttle)"),
	CINT("retention", "order_days", retention_order_days, 1, 36525,
	    "days an order is kept for the accounting period (default 7 years), then removed"),
	CSTR("shop", "providers", shop_providers,
	    "payment providers offered at checkout: invoice, hosted (space-separated)"),
	CSTR("shop", "hosted_url", shop_hosted_url,
	    "base URL of the hosted payment page (https://pay.example/...)"),
	CSTR("shop", "hosted_secret_file", shop_hosted_secret_file,
	    "file holding the hosted provider's webhook secret (relative to the data directory)"),
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	str_copy(c->listen, "127.0.0.1:8080", sizeof(c->listen));
	str_copy(c->access_log, "stderr", sizeof(c->access_log));
	str_copy(c->database, "sqlite:candor.db", sizeof(c->database));
	str_copy(c->key_file, "master.key", sizeof(c->key_file));
	c->connection_limit = LIMIT_CONNECTIONS;
	c->per_ip_connection_limit = LIMIT_CONNECTIONS_PER_IP;
	c->connection_timeout = LIMIT_CONNECTION_TIMEOUT_S;
	c->retention_ip_days = 90;
	c->retention_unverified_days = 7;
	c->retention_sessions_days = 0;
	c->retention_analytics_days = 90;
	c->session_idle_minutes = 30;
	c->session_absolute_hours = 12;
	str_copy(c->smtp_from, "candor@localhost", sizeof(c->smtp_from));
	c->smtp_starttls = true;
	c->analytics_enabled = true;
	c->mail_announce_per_minute = LIMIT_ANNOUNCE_PER_MINUTE;
	c->retention_order_days = 2557;
	str_copy(c->shop_providers, "invoice", sizeof(c->shop_providers));
}

struct config_parse {
	struct config *c;
	char *err;
	size_t errsize;
	int line;
};

static int
config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_parse *p = user;
	const struct config_key *k;
	long long v;
	size_t i;

	for (i = 0; i < COUNTOF(config_keys); i++) {
		k = &config_keys[i];
		if (strcmp(k->section, section) || strcmp(k->name, name))
			continue;
		if (k->kind == CONFIG_STR) {
			if (strlen(value) >= k->size) {
				snprintf(p->err, p->errsize, "key '%s' in [%s] is too long",
				    name, section);
				return 0;
			}
			str_copy((char *)p->c + k->offset, value, k->size);
			return 1;
		}
		if (k->kind == CONFIG_BOOL) {
			if (strcmp(value, "yes") && strcmp(value, "no")) {
				snprintf(p->err, p->errsize, "key '%s' in [%s] needs yes or no, not '%s'",
				    name, section, value);
				return 0;
			}
			*(bool *)((char *)p->c + k->offset) = strcmp(value, "yes") == 0;
			return 1;
		}
		if (strnum(value, k->min, k->max, &v) != ERR_OK) {
			snprintf(p->err, p->errsize,
			    "key '%s' in [%s] needs a whole number from %lld to %lld, not '%s'",
			    name, section, k->min, k->max, value);
			return 0;
		}
		*(int *)((char *)p->c + k->offset) = (int)v;
		return 1;
	}
	snprintf(p->err, p->errsize, "unknown key '%s' in section [%s]", name, section);
	return 0;
}

enum err
config_load(const char *dir, struct config *c, char *errbuf, size_t errsize)
{
	struct config_parse p = {c, errbuf, errsize, 0};
	char path[1100], msg[300] = "";
	struct stat st;
	FILE *f;
	int rc;

	config_defaults(c);
	str_copy(c->data_dir, dir, sizeof(c->data_dir));
	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(errbuf, errsize, "cannot read %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fileno(f), &st) == 0 && st.st_size > LIMIT_CONFIG_BYTES) {
		fclose(f);
		snprintf(errbuf, errsize, "%s is larger than %d bytes", path, LIMIT_CONFIG_BYTES);
		return ERR_TOOBIG;
	}
	p.err = msg;
	p.errsize = sizeof(msg);
	rc = ini_parse_file(f, config_handler, &p);
	fclose(f);
	if (rc != 0) {
		if (rc < 0)
			snprintf(errbuf, errsize, "cannot read %s", path);
		else if (msg[0])
			snprintf(errbuf, errsize, "%s line %d: %s", path, rc, msg);
		else
			snprintf(errbuf, errsize, "%s line %d: not 'key = value' or '[section]'",
			    path, rc);
		return rc < 0 ? ERR_IO : ERR_INVAL;
	}
	return ERR_OK;
}

enum err
config_write_new(const char *path, const struct config *c)
{
	const char *section = "";
	struct buf b;
	size_t i;
	ssize_t w;
	int fd;
	enum err e = ERR_OK;

	buf_init(&b);
	buf_puts(&b, "# candor configuration. Every key is described in docs/configuration.md.\n");
	for (i = 0; i < COUNTOF(config_keys); i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(section, k->section)) {
			buf_printf(&b, "\n[%s]\n", k->section);
			section = k->section;
		}
		buf_printf(&b, "# %s\n", k->help);
		if (k->kind == CONFIG_STR)
			buf_printf(&b, "%s = %s\n", k->name, (const char *)c + k->offset);
		else if (k->kind == CONFIG_BOOL)
			buf_printf(&b, "%s = %s\n", k->name,
			    *(const bool *)((const char *)c + k->offset) ? "yes" : "no");
		else
			buf_printf(&b, "%s = %d\n", k->name, *(const int *)((const char *)c + k->offset));
	}
	if (b.failed) {
		buf_free(&b);
		return ERR_NOMEM;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
		buf_free(&b);
		return errno == EEXIST ? ERR_CONFLICT : ERR_IO;
	}
	w = write(fd, b.data, b.len);
	if (w < 0 || (size_t)w != b.len || fsync(fd) != 0)
		e = ERR_IO;
	if (close(fd) != 0)
		e = ERR_IO;
	buf_free(&b);
	return e;
}

void
config_path(const struct config *c, const char *rel, char *out, size_t outsize)
{
	if (rel[0] == '/')
		str_copy(out, rel, outsize);
	else
		snprintf(out, outsize, "%s/%s", c->data_dir, rel);
}
