/*
 * job: a periodic background task on a thread of its own (retention, mail delivery).
 * The thread waits on a condition variable against the monotonic clock, so job_stop
 * wakes it at once; a run in progress is waited for, never cut short. Runs never
 * overlap: the next wait starts after a run ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

struct job {
	char name[32];
	int64_t first_ms, every_ms;
	void (*fn)(void *arg);
	void *arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	uint64_t runs;
};

/* The deadline now + ms on the monotonic clock the condition variable waits on. */
static struct timespec
job_deadline(int64_t ms)
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
job_main(void *arg)
{
	struct job *j = arg;
	struct timespec deadline = job_deadline(j->first_ms);
	int rc;

	pthread_mutex_lock(&j->mu);
	while (!j->stop) {
		rc = pthread_cond_timedwait(&j->cv, &j->mu, &deadline);
		if (j->stop)
			break;
		if (rc != ETIMEDOUT)
			continue; /* spurious wake-up: wait out the same deadline */
		pthread_mutex_unlock(&j->mu);
		j->fn(j->arg);
		pthread_mutex_lock(&j->mu);
		j->runs++;
		deadline = job_deadline(j->every_ms);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

struct job *
job_start(const char *name, int64_t first_ms, int64_t every_ms, void (*fn)(void *arg),
    void *arg, char *errbuf, size_t errsize)
{
	pthread_condattr_t ca;
	struct job *j;
	int rc;

	if (first_ms < 0 || every_ms <= 0 || fn == NULL) {
		snprintf(errbuf, errsize, "%s: bad job settings", name);
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(errbuf, errsize, "%s: out of memory", name);
		return NULL;
	}
	str_copy(j->name, name, sizeof(j->name));
	j->first_ms = first_ms;
	j->every_ms = every_ms;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&j->thread, NULL, job_main, j)) != 0) {
		snprintf(errbuf, errsize, "%s: cannot start its thread: %s", name, strerror(rc));
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return NULL;
	}
	return j;
}

void
job_stop(struct job *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->stop = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

uint64_t
job_runs(struct job *j)
{
	uint64_t n;

	pthread_mutex_lock(&j->mu);
	n = j->runs;
	pthread_mutex_unlock(&j->mu);
	return n;
}
