/*
 * cli: the helpers every command shares (arguments, cli_open) and the commands that
 * manage a data directory as a whole: init, serve, db copy. Every command opens the
 * data directory's configuration and database the same way (cli_open), prints one clear
 * sentence on failure and returns 1; nothing is half-written: init builds the data
 * directory beside its final name and renames it into place at the end, and every
 * content write is one transaction. Other commands live in cli_*.c, each with its
 * table of struct cli_command that main.c lists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/embed.h"
#include "mail/mail.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "sites/sites.h"
#include "web/web_int.h"

/* Works out the store URL and password from the configuration. */
bool
cli_db_resolve(const struct config *cfg, struct cli_db *db)
{
	FILE *f;
	char path[1100];

	memset(db, 0, sizeof(*db));
	if (strncmp(cfg->database, "sqlite:", 7) == 0) {
		config_path(cfg, cfg->database + 7, path, sizeof(path));
		snprintf(db->url, sizeof(db->url), "sqlite:%s", path);
	} else if (strncmp(cfg->database, "postgresql://", 13) == 0 ||
		   strncmp(cfg->database, "postgres://", 11) == 0) {
		str_copy(db->url, cfg->database, sizeof(db->url));
	} else {
		CLI_ERR("[store] database must start with sqlite: or postgresql://\n");
		return false;
	}
	if (cfg->database_password_file[0]) {
		config_path(cfg, cfg->database_password_file, path, sizeof(path));
		if ((f = fopen(path, "r")) == NULL) {
			CLI_ERR("cannot read the password file %s: %s\n", path, strerror(errno));
			return false;
		}
		if (fgets(db->password, sizeof(db->password), f) == NULL)
			db->password[0] = '\0';
		fclose(f);
		db->password[strcspn(db->password, "\r\n")] = '\0';
	}
	return true;
}

/* Loads DIR's configuration and opens (and migrates) its database. */
struct store *
cli_open(const char *dir, struct config *cfg, struct cli_db *db)
{
	char msg[512];
	struct store *s;
	enum err e;

	if (config_load(dir, cfg, msg, sizeof(msg)) != ERR_OK) {
		CLI_ERR("%s\n", msg);
		return NULL;
	}
	if (!cli_db_resolve(cfg, db))
		return NULL;
	s = store_open(db->url, db->password[0] ? db->password : NULL, &e, msg, sizeof(msg));
	if (s == NULL) {
		CLI_ERR("cannot open the database: %s\n", msg);
		return NULL;
	}
	if ((e = web_migrate(s)) != ERR_OK) {
		CLI_ERR("cannot prepare the database schema: %s (%s)\n", err_str(e),
		    store_errmsg(s));
		store_close(s);
		return NULL;
	}
	return s;
}

bool
cli_open_private(const char *dir, struct config *cfg, struct store **s, struct privacy **p)
{
	struct cli_db db;
	char msg[512];

	*p = NULL;
	if ((*s = cli_open(dir, cfg, &db)) == NULL)
		return false;
	if (privacy_open(cfg, p, msg, sizeof(msg)) != ERR_OK) {
		CLI_ERR("%s\n", msg);
		store_close(*s);
		*s = NULL;
		return false;
	}
	return true;
}

/* Writes n bytes to a new file with mode, fsynced. */
enum err
cli_write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd;
	ssize_t w;
	enum err e = ERR_OK;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return ERR_IO;
	w = write(fd, p, n);
	if (w < 0 || (size_t)w != n || fsync(fd) != 0)
		e = ERR_IO;
	if (close(fd) != 0)
		e = ERR_IO;
	return e;
}

static int
cli_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static const char *
cli_embedded(const char *name)
{
	const struct embed_file *f = embed_find(name);

	return f ? (const char *)f->data : "";
}

/* The demo: Perfect Image Video with its privacy policy, and the PIV Blog. */
static enum err
cli_seed_demo(struct store *s)
{
	static const struct {
		int site;
		enum post_kind kind;
		const char *slug, *title, *file;
		int days_ago;
	} items[] = {
		{0, POST_KIND_POST, "welcome", "Welcome to Perfect Image Video", "demo/piv-welcome.md", 9},
		{0, POST_KIND_POST, "interview-lighting", "Three lessons in interview lighting",
		    "demo/piv-lighting.md", 5},
		{0, POST_KIND_POST, "who-owns-the-footage", "Who owns the footage?",
		    "demo/piv-licensing.md", 2},
		{0, POST_KIND_PAGE, "about", "About", "demo/piv-about.md", 10},
		{1, POST_KIND_POST, "hello", "Hello from the crew", "demo/blog-hello.md", 7},
		{1, POST_KIND_POST, "room-tone", "Why we record room tone", "demo/blog-sound.md", 3},
	};
	int64_t site_ids[2];
	char msg[256];
	size_t i;
	enum err e;

	if ((e = sites_add(s, "perfectimagevideo.localhost", "Perfect Image Video",
		 "Films for people with something to show",
		 "http://perfectimagevideo.localhost:8080", NULL, 0, &site_ids[0])) != ERR_OK)
		return e;
	if ((e = sites_add(s, "blog.perfectimagevideo.localhost", "PIV Blog",
		 "Notes from the Perfect Image Video crew",
		 "http://blog.perfectimagevideo.localhost:8080", NULL, 0, &site_ids[1])) != ERR_OK)
		return e;
	for (i = 0; i < COUNTOF(items); i++) {
		e = posts_add(s, site_ids[items[i].site], items[i].kind, items[i].slug,
		    items[i].title, cli_embedded(items[i].file), false,
		    time_now() - (int64_t)items[i].days_ago * 86400, NULL, msg, sizeof(msg));
		if (e != ERR_OK)
			return e;
	}
	return policy_publish(s, "Privacy Policy", cli_embedded("demo/privacy-policy.md"), "",
	    time_now() - 10 * 86400, NULL);
}

/* Is dir present with anything in it? */
static bool
cli_dir_nonempty(const char *dir)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	bool found = false;

	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode) || (d = opendir(dir)) == NULL)
		return true;
	while (!found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

/* mkdir -p for the directories above path (not path itself). */
static void
cli_make_parents(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	str_copy(buf, path, sizeof(buf));
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(buf, 0750);
		*p = '/';
	}
}

/* The optional first account, made by init in the same transaction as the schema. */
struct cli_owner {
	const char *username, *email, *password_file;
};

static int
cli_init(const char *dir, bool demo, const char *database, const struct cli_owner *owner)
{
	char tmp[PATH_MAX], path[PATH_MAX], msg[512];
	unsigned char key[64]; /* master key, then root key: independent random bytes */
	struct config cfg;
	struct cli_db db;
	struct store *s = NULL;
	struct privacy *priv = NULL;
	bool empty = false;
	enum err e;
	int rc = 1;

	if (cli_dir_nonempty(dir)) {
		CLI_ERR("%s already exists and is not empty; init never overwrites a data "
			"directory\n", dir);
		return 1;
	}
	cli_make_parents(dir);
	if (snprintf(tmp, sizeof(tmp), "%s.init-XXXXXX", dir) >= (int)sizeof(tmp) ||
	    mkdtemp(tmp) == NULL) {
		CLI_ERR("cannot create a directory beside %s: %s\n", dir, strerror(errno));
		return 1;
	}
	chmod(tmp, 0750);
	config_defaults(&cfg);
	if (database)
		str_copy(cfg.database, database, sizeof(cfg.database));
	if (demo)
		str_copy(cfg.default_site, "perfectimagevideo.localhost", sizeof(cfg.default_site));
	str_copy(cfg.data_dir, tmp, sizeof(cfg.data_dir));
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		CLI_ERR("cannot read random bytes for the master key\n");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/master.key", tmp);
	e = cli_write_file(path, key, sizeof(key), 0600);
	explicit_bzero(key, sizeof(key));
	if (e != ERR_OK) {
		CLI_ERR("cannot write %s\n", path);
		goto out;
	}
	/* the audit signing key (DIR/audit.key, 0600) is made the first time privacy opens */
	if ((e = privacy_open(&cfg, &priv, msg, sizeof(msg))) != ERR_OK) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/candor.conf", tmp);
	if (config_write_new(path, &cfg) != ERR_OK) {
		CLI_ERR("cannot write %s\n", path);
		goto out;
	}
	if (!cli_db_resolve(&cfg, &db))
		goto out;
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL) {
		CLI_ERR("cannot create the database: %s\n", msg);
		goto out;
	}
	/* One transaction for schema and demo: a failure leaves the database empty. */
	if ((e = store_is_empty(s, &empty)) != ERR_OK || !empty) {
		CLI_ERR("the database %s; init only fills an empty database\n",
		    e == ERR_OK ? "already holds tables" : "cannot be read");
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK || (e = web_migrate(s)) != ERR_OK) {
		CLI_ERR("cannot create the database schema: %s (%s)\n", err_str(e), store_errmsg(s));
		store_rollback(s);
		goto out;
	}
	if (demo && (e = cli_seed_demo(s)) != ERR_OK) {
		CLI_ERR("cannot add the demo content: %s (%s)\n", err_str(e), store_errmsg(s));
		store_rollback(s);
		goto out;
	}
	if (owner->username) {
		char pw[LIMIT_PASSWORD_MAX_BYTES + 1], why[256] = "";
		size_t pwlen = 0;
		int64_t id = 0;

		e = ERR_INVAL;
		if (owner->password_file == NULL || cli_password_file(owner->password_file, pw,
							 &pwlen)) {
			e = people_add(priv, s, owner->username, owner->email, ROLE_OWNER, true, &id,
			    why, sizeof(why));
			if (e == ERR_OK && owner->password_file)
				e = password_set(s, id, pw, pwlen, why, sizeof(why));
		}
		explicit_bzero(pw, sizeof(pw));
		if (e != ERR_OK) {
			CLI_ERR("cannot add the owner: %s\n", why[0] ? why : err_str(e));
			store_rollback(s);
			goto out;
		}
	}
	if ((e = store_commit(s)) != ERR_OK) {
		CLI_ERR("cannot create the database: %s (%s)\n", err_str(e), store_errmsg(s));
		goto out;
	}
	store_close(s);
	s = NULL;
	if (rename(tmp, dir) != 0) {
		CLI_ERR("cannot move the new data directory to %s: %s\n", dir, strerror(errno));
		goto out;
	}
	printf("Created %s%s%s.\nStart it with: candor serve --data %s\n", dir,
	    demo ? " with the demo sites" : "", owner->username ? " and its owner account" : "",
	    dir);
	rc = 0;
out:
	privacy_free(priv);
	store_close(s);
	if (rc != 0)
		nftw(tmp, cli_rm, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

/* What the session purge job needs: its own connection each run, and the limits. */
struct cli_purge {
	const char *url, *password;
	int64_t idle_s, absolute_s;
};

/* Removes expired sessions (B4: "expired sessions at once"); failures retry next run. */
static void
cli_purge_sessions(void *arg)
{
	struct cli_purge *c = arg;
	struct store *s;
	char msg[256];
	int64_t removed = 0;
	enum err e;

	if ((s = store_open(c->url, c->password, &e, msg, sizeof(msg))) == NULL) {
		log_warn("sessions: cannot open the database (%s)", msg);
		return;
	}
	if ((e = session_purge(s, time_now(), c->idle_s, c->absolute_s, &removed)) != ERR_OK)
		log_warn("sessions: purge failed: %s", err_str(e));
	else if (removed > 0)
		log_info("sessions: removed %lld expired", (long long)removed);
	store_close(s);
}

/* serve refuses a master key that others can read (SECURITY.md, data at rest). */
static bool
cli_key_ok(const struct config *cfg)
{
	char path[1100];
	struct stat st;

	config_path(cfg, cfg->key_file, path, sizeof(path));
	if (stat(path, &st) != 0) {
		CLI_ERR("cannot find the master key %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != 64) {
		CLI_ERR("%s is not a key file (64 random bytes: the master key, then the root key)\n",
		    path);
		return false;
	}
	if (st.st_mode & 077) {
		CLI_ERR("%s is readable by group or others (mode %03o); run: chmod 600 %s\n", path,
		    (unsigned)(st.st_mode & 0777), path);
		return false;
	}
	return true;
}

/*
 * A site whose origin is https but no trusted proxy: candor cannot know requests came
 * over TLS, so the session cookie would go out without Secure and under the plain name.
 * Said once at start (docs/deploy.md).
 */
static void
cli_warn_tls(struct store *s, const struct config *cfg)
{
	struct arena *a = arena_new();
	struct site *sites;
	size_t n, i;

	if (a == NULL || cfg->trusted_proxies[0] != '\0' ||
	    sites_list(s, a, &sites, &n) != ERR_OK) {
		arena_free(a);
		return;
	}
	for (i = 0; i < n; i++)
		if (strncmp(sites[i].origin, "https://", 8) == 0) {
			log_warn("site %s has an https origin but [server] trusted_proxies is empty: "
				 "candor cannot tell TLS requests apart, so sign-in cookies go out "
				 "without Secure; set trusted_proxies to the TLS proxy's address "
				 "(docs/deploy.md)", sites[i].host);
			break;
		}
	arena_free(a);
}

static int
cli_serve(const char *dir, const char *listen)
{
	struct http_server_config hc;
	struct http_server *srv = NULL;
	struct web_app *app = NULL;
	struct retention_job *job = NULL;
	struct mail_worker *mailer = NULL;
	struct job *purger = NULL;
	struct cli_purge purge;
	struct config cfg;
	struct cli_db db;
	struct store *s;
	char msg[512], logpath[1100];
	sigset_t set;
	int sig, rc = 1;

	if ((s = cli_open(dir, &cfg, &db)) == NULL)
		return 1;
	cli_warn_tls(s, &cfg);
	store_close(s);
	if (listen)
		str_copy(cfg.listen, listen, sizeof(cfg.listen));
	if (!cli_key_ok(&cfg))
		return 1;
	if (cfg.default_site[0] && strchr(cfg.default_site, ':')) {
		CLI_ERR("default_site must be a host name without a port\n");
		return 1;
	}
	/* Block the stop signals before any thread starts, so all threads inherit the mask
	 * and only sigwait below receives them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((app = web_app_new(&cfg, db.url, db.password[0] ? db.password : NULL, msg,
		 sizeof(msg))) == NULL) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	/* analytics (docs/analytics.md): the writer thread, on its own connection */
	if (web_analytics_start(app, db.url, db.password[0] ? db.password : NULL, msg,
		sizeof(msg)) != ERR_OK) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	/* retention (B4): a minute after start, then hourly, on its own connection */
	if ((job = retention_job_start(&cfg, db.url, db.password[0] ? db.password : NULL,
		 60 * 1000, 3600 * 1000, msg, sizeof(msg))) == NULL) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	/* expired sessions: removed every minute (a session expires at most a minute late) */
	purge.url = db.url;
	purge.password = db.password[0] ? db.password : NULL;
	purge.idle_s = (int64_t)cfg.session_idle_minutes * 60;
	purge.absolute_s = (int64_t)cfg.session_absolute_hours * 3600;
	if ((purger = job_start("sessions", 60 * 1000, 60 * 1000, cli_purge_sessions, &purge, msg,
		 sizeof(msg))) == NULL) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	/* mail delivery (docs/mail.md): a second after start, then every 5 seconds */
	if ((mailer = mail_worker_start(&cfg, db.url, db.password[0] ? db.password : NULL,
		 1000, 5000, msg, sizeof(msg))) == NULL) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	memset(&hc, 0, sizeof(hc));
	hc.listen = cfg.listen;
	hc.threads = cfg.threads;
	hc.connection_limit = cfg.connection_limit;
	hc.per_ip_connection_limit = cfg.per_ip_connection_limit;
	hc.connection_timeout = cfg.connection_timeout;
	hc.trusted_proxies = cfg.trusted_proxies;
	hc.access_log = cfg.access_log;
	if (strcmp(cfg.access_log, "stderr") && strcmp(cfg.access_log, "off") &&
	    strcmp(cfg.access_log, "-")) {
		config_path(&cfg, cfg.access_log, logpath, sizeof(logpath));
		hc.access_log = logpath;
	}
	hc.router = web_app_router(app);
	hc.render_error = web_render_error;
	hc.cache_generation = web_cache_generation;
	hc.cache_query_params = web_cache_query_params;
	hc.cache_neutral_cookies = web_cache_neutral_cookies;
	hc.per_request_headers = web_per_request_headers;
	hc.on_response = web_analytics_response;
	hc.app = app;
	if ((srv = http_server_start(&hc, msg, sizeof(msg))) == NULL) {
		CLI_ERR("%s\n", msg);
		goto out;
	}
	log_info("candor %s listening on http://%.*s:%d/ (data %s, %s)", CANDOR_VERSION,
	    (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen, http_server_port(srv), dir,
	    strncmp(db.url, "sqlite:", 7) == 0 ? "sqlite" : "postgresql");
	for (;;) {
		if (sigwait(&set, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
			break;
	}
	log_info("stopping: finishing requests in flight");
	http_server_stop(srv, LIMIT_SHUTDOWN_DRAIN_S);
	srv = NULL;
	/* no request is left to record: store every queued event (SECURITY.md) */
	web_analytics_stop(app);
	log_info("stopped");
	rc = 0;
out:
	mail_worker_stop(mailer); /* waits for a delivery in progress */
	job_stop(purger);
	retention_job_stop(job); /* waits for a run in progress */
	web_app_free(app);
	return rc;
}

/* Replaces (or adds) the [store] database line of DIR/candor.conf, atomically. */
static enum err
cli_conf_set_database(const char *dir, const char *url)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], *text, *line, *end;
	struct buf b;
	bool in_store = false, done = false;
	size_t n;
	enum err e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	if ((f = fopen(path, "r")) == NULL)
		return ERR_IO;
	text = malloc(LIMIT_CONFIG_BYTES + 1);
	n = text ? fread(text, 1, LIMIT_CONFIG_BYTES, f) : 0;
	fclose(f);
	if (text == NULL)
		return ERR_NOMEM;
	text[n] = '\0';
	buf_init(&b);
	for (line = text; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (line[0] == '[')
			in_store = strncmp(line, "[store]", 7) == 0;
		if (in_store && !done && strncmp(line, "database", 8) == 0 &&
		    strchr(" \t=", line[8])) {
			buf_printf(&b, "database = %s\n", url);
			done = true;
			continue;
		}
		buf_append(&b, line, (size_t)(end - line));
	}
	if (!done)
		buf_printf(&b, "\n[store]\ndatabase = %s\n", url);
	free(text);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	e = b.failed ? ERR_NOMEM : cli_write_file(tmp, b.data, b.len, 0640);
	buf_free(&b);
	if (e == ERR_OK && rename(tmp, path) != 0)
		e = ERR_IO;
	if (e != ERR_OK)
		unlink(tmp);
	return e;
}

static int
cli_db_copy(const char *dir, const char *url)
{
	struct config cfg;
	struct cli_db db;
	struct store *src = NULL, *dst = NULL;
	char msg[512];
	enum err e;
	int rc = 1;

	if (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0 &&
	    strncmp(url, "sqlite:/", 8) != 0) {
		CLI_ERR("--to must be postgresql://USER@HOST:PORT/DB or sqlite:/absolute/path\n");
		return 2;
	}
	if (strpbrk(url, "\r\n")) {
		CLI_ERR("--to must be one line\n");
		return 2;
	}
	if ((src = cli_open(dir, &cfg, &db)) == NULL)
		return 1;
	if (strcmp(db.url, url) == 0) {
		CLI_ERR("%s already uses that database\n", dir);
		goto out;
	}
	if ((dst = store_open(url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL) {
		CLI_ERR("cannot open the target database: %s\n", msg);
		goto out;
	}
	printf("Copying %s (%s) to the target (%s):\n", dir, store_backend(src),
	    store_backend(dst));
	e = web_copy(src, dst, stdout);
	if (e == ERR_CONFLICT) {
		CLI_ERR("the target database is not empty; db copy only fills an empty database "
			"(nothing was changed)\n");
		goto out;
	}
	if (e != ERR_OK) {
		CLI_ERR("the copy failed and was rolled back: %s (%s)\n", err_str(e),
		    store_errmsg(dst));
		goto out;
	}
	if (cli_conf_set_database(dir, url) != ERR_OK) {
		CLI_ERR("the data was copied, but %s/candor.conf could not be updated; set "
			"[store] database to the new URL by hand\n", dir);
		goto out;
	}
	printf("Done. %s/candor.conf now uses the new database; the old one is untouched.\n",
	    dir);
	rc = 0;
out:
	store_close(dst);
	store_close(src);
	return rc;
}

/* ---- arguments ---- */

const char *
cli_arg(const struct cli_args *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			return a->values[i];
	return NULL;
}

bool
cli_flag(const struct cli_args *a, const char *name)
{
	return cli_arg(a, name) != NULL;
}

size_t
cli_arg_all(const struct cli_args *a, const char *name, const char **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < a->n && n < max; i++)
		if (strcmp(a->names[i], name) == 0)
			out[n++] = a->values[i];
	return n;
}

/* Normalises a host name given on the command line into out (lowercase, no port). */
bool
cli_host(const char *in, char *out, size_t outsize)
{
	if (http_host_parse(in, out, outsize) != ERR_OK || strchr(in, ':')) {
		CLI_ERR("'%s' is not a host name (no scheme, no port)\n", in);
		return false;
	}
	return true;
}

static int
run_init(const struct cli_args *a)
{
	struct cli_owner owner = {cli_arg(a, "owner-username"), cli_arg(a, "owner-email"),
	    cli_arg(a, "owner-password-file")};

	if ((owner.username == NULL) != (owner.email == NULL) ||
	    (owner.password_file && owner.username == NULL)) {
		CLI_ERR("--owner-username and --owner-email go together (see: candor init --help)\n");
		return 2;
	}
	return cli_init(cli_arg(a, "data"), cli_flag(a, "demo"), cli_arg(a, "database"), &owner);
}

static int
run_serve(const struct cli_args *a)
{
	return cli_serve(cli_arg(a, "data"), cli_arg(a, "listen"));
}

static int
run_db_copy(const struct cli_args *a)
{
	return cli_db_copy(cli_arg(a, "data"), cli_arg(a, "to"));
}

const struct cli_command cli_core_commands[] = {
	{"init", "data! demo? database owner-username owner-email owner-password-file", run_init,
	    "usage: candor init --data DIR [--demo] [--database URL]\n"
	    "                   [--owner-username U --owner-email E [--owner-password-file F]]\n"
	    "Creates a new data directory: candor.conf, the database and master.key (64 random\n"
	    "bytes, mode 0600).\n"
	    "  --data DIR       directory to create (must not exist or be empty)\n"
	    "  --demo           add the Perfect Image Video demo sites, posts and privacy policy\n"
	    "  --database URL   postgresql://USER@HOST:PORT/DB instead of the SQLite file\n"
	    "  --owner-...      create the first account, the owner (a fresh install has none);\n"
	    "                   its password is the first line of the password file\n"},
	{"serve", "data! listen", run_serve,
	    "usage: candor serve --data DIR [--listen ADDR:PORT]\n"
	    "Serves every site of the data directory over HTTP until SIGTERM or SIGINT.\n"
	    "  --data DIR          the data directory made by candor init\n"
	    "  --listen ADDR:PORT  overrides [server] listen (default 127.0.0.1:8080; port 0\n"
	    "                      picks a free port, printed in the log)\n"},
	{"db copy", "data! to!", run_db_copy,
	    "usage: candor db copy --data DIR --to URL\n"
	    "Copies every row of DIR's database into an empty database (one transaction: all\n"
	    "or nothing), then points DIR's candor.conf at it. The old database is untouched.\n"
	    "Stop `candor serve` first and restart it afterwards.\n"
	    "  --to URL   postgresql://USER@HOST:PORT/DB (password from PGPASSWORD, ~/.pgpass or\n"
	    "             [store] password_file) or sqlite:/absolute/path/file.db\n"},
	{NULL, NULL, NULL, NULL},
};
