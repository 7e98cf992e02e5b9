/*
 * worker: the delivery thread of `candor serve`. Every few seconds it opens its own
 * connection, queues what campaigns may send this minute (mail_campaign_run, the [mail]
 * announce_per_minute throttle), runs mail_deliver_due and closes it; a failure is logged and retried at
 * the next beat. Stopping waits for the delivery in progress, so a graceful stop never
 * leaves a row in `sending`; a crash may, and the next run (here or on another node)
 * takes it over after its lease (see outbox.c).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/mail_int.h"

struct mail_worker {
	struct mail_transport t;
	char url[1200];
	char password[256];
	bool has_password;
	struct privacy *p;
	struct job *job;
	int per_minute; /* [mail] announce_per_minute */
	_Atomic bool stopping; /* tells a transfer in progress to give up */
};

static void
mail_worker_once(void *arg)
{
	struct mail_worker *w = arg;
	struct mail_run run;
	struct store *s;
	int64_t queued = 0;
	char msg[512];
	enum err e;

	s = store_open(w->url, w->has_password ? w->password : NULL, &e, msg, sizeof(msg));
	if (s == NULL) {
		log_warn("mail: cannot open the database (%s); trying again shortly", msg);
		return;
	}
	if ((e = mail_campaign_run(w->p, s, w->per_minute, time_now(), &queued)) != ERR_OK)
		log_warn("mail: campaign run stopped: %s", err_str(e));
	else if (queued)
		log_info("mail: %lld campaign messages queued", (long long)queued);
	if ((e = mail_deliver_due(w->p, s, &w->t, time_now(), &run)) != ERR_OK)
		log_warn("mail: delivery run stopped: %s", err_str(e));
	if (run.sent || run.recovered || run.failed)
		log_info("mail: %lld sent, %lld found delivered after a restart, %lld failed, "
			 "%lld to retry", (long long)run.sent, (long long)run.recovered,
		    (long long)run.failed, (long long)run.retried);
	store_close(s);
}

static void
mail_worker_free(struct mail_worker *w)
{
	privacy_free(w->p);
	mail_transport_wipe(&w->t);
	sodium_memzero(w->password, sizeof(w->password));
	free(w);
}

struct mail_worker *
mail_worker_start(const struct config *cfg, const char *db_url, const char *db_password,
    int64_t first_ms, int64_t every_ms, char *errbuf, size_t errsize)
{
	struct mail_worker *w;

	if (first_ms < 0 || every_ms <= 0 || strlen(db_url) >= sizeof(w->url) ||
	    (db_password && strlen(db_password) >= sizeof(w->password))) {
		snprintf(errbuf, errsize, "mail: bad worker settings");
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(errbuf, errsize, "mail: out of memory");
		return NULL;
	}
	if (mail_transport_init(cfg, &w->t, errbuf, errsize) != ERR_OK) {
		mail_worker_free(w);
		return NULL;
	}
	/* before any transfer, while the caller is the only thread using curl */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(errbuf, errsize, "mail: libcurl does not initialise");
		mail_worker_free(w);
		return NULL;
	}
	str_copy(w->url, db_url, sizeof(w->url));
	if (db_password) {
		str_copy(w->password, db_password, sizeof(w->password));
		w->has_password = true;
	}
	w->t.abort = &w->stopping;
	w->per_minute = cfg->mail_announce_per_minute;
	if (privacy_open(cfg, &w->p, errbuf, errsize) != ERR_OK ||
	    (w->job = job_start("mail", first_ms, every_ms, mail_worker_once, w, errbuf,
		 errsize)) == NULL) {
		mail_worker_free(w);
		return NULL;
	}
	return w;
}

void
mail_worker_stop(struct mail_worker *w)
{
	if (w == NULL)
		return;
	atomic_store(&w->stopping, true);
	job_stop(w->job);
	mail_worker_free(w);
}
