/*
 * worker: the delivery thread of `candor serve`. Every few seconds it opens its own
 * connection, runs mail_deliver_due and closes it; a failure is logged and retried at
 * the next beat. Stopping waits for the delivery in progress, so a graceful stop never
 * leaves a row in `sending`; a crash may, and the next run (here or on another node)
 * takes it over after its lease (see outbox.c).
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
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
	int64_t first_ms, every_ms;
	struct privacy *p;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void
mail_worker_once(struct mail_worker *w)
{
	struct mail_run run;
	struct store *s;
	char msg[512];
	enum err e;

	s = store_open(w->url, w->has_password ? w->password : NULL, &e, msg, sizeof(msg));
	if (s == NULL) {
		log_warn("mail: cannot open the database (%s); trying again shortly", msg);
		return;
	}
	if ((e = mail_deliver_due(w->p, s, &w->t, time_now(), &run)) != ERR_OK)
		log_warn("mail: delivery run stopped: %s", err_str(e));
	if (run.sent || run.recovered || run.failed)
		log_info("mail: %lld sent, %lld found delivered after a restart, %lld failed, "
			 "%lld to retry", (long long)run.sent, (long long)run.recovered,
		    (long long)run.failed, (long long)run.retried);
	store_close(s);
}

static struct timespec
mail_deadline(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void *
mail_worker_main(void *arg)
{
	struct mail_worker *w = arg;
	struct timespec deadline = mail_deadline(w->first_ms);
	int rc;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		rc = pthread_cond_timedwait(&w->cv, &w->mu, &deadline);
		if (w->stop)
			break;
		if (rc != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&w->mu);
		mail_worker_once(w);
		pthread_mutex_lock(&w->mu);
		deadline = mail_deadline(w->every_ms);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
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
	pthread_condattr_t ca;
	int rc;

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
	w->first_ms = first_ms;
	w->every_ms = every_ms;
	if (privacy_open(cfg, &w->p, errbuf, errsize) != ERR_OK) {
		mail_worker_free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&w->thread, NULL, mail_worker_main, w)) != 0) {
		snprintf(errbuf, errsize, "mail: cannot start its thread: %s", strerror(rc));
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
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
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	mail_worker_free(w);
}
