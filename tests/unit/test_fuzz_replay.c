/*
 * test_fuzz_replay: every fuzz input we keep, run in the normal test build (house rule:
 * SQLite replays every fuzz crash). For each parser NAME it reads every file of
 * $CANDOR_SRC/fuzz/corpus/NAME/ (the seed corpus, which must exist and be non-empty)
 * and $CANDOR_SRC/fuzz/regress/NAME/ (crashes found by scripts/fuzz.sh, if any) and
 * calls fuzz_NAME_one() on it: the very function the libFuzzer target runs, included
 * from fuzz/fuzz_NAME_body.h, with the same invariant checks (abort() on violation).
 *
 * Each input is copied into a heap block of exactly its size, as libFuzzer does, so
 * AddressSanitizer catches a parser that reads one byte past the end.
 *
 * tmpl is not replayed here: fuzz/fuzz_tmpl.c has no shared fuzz_tmpl_body.h yet. To
 * add a parser, include its body header and add a row to replay_targets[].
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/fuzz_comment_md_body.h"
#include "../../fuzz/fuzz_cookie_body.h"
#include "../../fuzz/fuzz_csrf_body.h"
#include "../../fuzz/fuzz_diff_body.h"
#include "../../fuzz/fuzz_form_body.h"
#include "../../fuzz/fuzz_forwarded_body.h"
#include "../../fuzz/fuzz_formtable_body.h"
#include "../../fuzz/fuzz_host_body.h"
#include "../../fuzz/fuzz_input_body.h"
#include "../../fuzz/fuzz_lang_body.h"
#include "../../fuzz/fuzz_path_body.h"
#include "../../fuzz/fuzz_period_body.h"
#include "../../fuzz/fuzz_pathrec_body.h"
#include "../../fuzz/fuzz_referrer_body.h"
#include "../../fuzz/fuzz_search_body.h"
#include "../../fuzz/fuzz_ua_body.h"
#include "../../fuzz/fuzz_money_body.h"
#include "../../fuzz/fuzz_shopsig_body.h"
#include "testlib.h"

struct replay_target {
	const char *name;
	void (*one)(const uint8_t *data, size_t size);
};

static const struct replay_target replay_targets[] = {
    {"form", fuzz_form_one},
    {"cookie", fuzz_cookie_one},
    {"path", fuzz_path_one},
    {"host", fuzz_host_one},
    {"input", fuzz_input_one},
    {"csrf", fuzz_csrf_one},
    {"formtable", fuzz_formtable_one},
    {"forwarded", fuzz_forwarded_one},
    {"ua", fuzz_ua_one},
    {"lang", fuzz_lang_one},
    {"referrer", fuzz_referrer_one},
    {"period", fuzz_period_one},
    {"pathrec", fuzz_pathrec_one},
    {"diff", fuzz_diff_one},
    {"comment_md", fuzz_comment_md_one},
    {"money", fuzz_money_one},
    {"shopsig", fuzz_shopsig_one},
    {"search", fuzz_search_one},
};

static int
replay_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Runs one on every regular file of dir, in name order, printing each path first so a
 * crash names its input. Returns the number of files run; a missing directory counts
 * as none.
 */
static size_t
replay_dir(const char *dir, void (*one)(const uint8_t *, size_t))
{
	struct dirent **names;
	char path[4096];
	size_t count = 0, len;
	uint8_t *exact;
	char *data;
	int n, i;

	if ((n = scandir(dir, &names, replay_visible, alphasort)) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		if ((data = t_read_file(path, &len)) == NULL)
			continue; /* a subdirectory */
		fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
		T_ASSERT((exact = malloc(len ? len : 1)) != NULL);
		memcpy(exact, data, len);
		one(exact, len);
		free(exact);
		free(data);
		count++;
	}
	free(names);
	return count;
}

int
main(void)
{
	const char *src = getenv("CANDOR_SRC");
	char dir[4096];
	size_t i, seeds, regress;

	if (src == NULL || *src == '\0')
		T_FAIL("CANDOR_SRC is not set (run through ctest)");
	for (i = 0; i < COUNTOF(replay_targets); i++) {
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", src, replay_targets[i].name);
		seeds = replay_dir(dir, replay_targets[i].one);
		if (seeds == 0)
			T_FAIL("no seed corpus in %s", dir);
		snprintf(dir, sizeof(dir), "%s/fuzz/regress/%s", src, replay_targets[i].name);
		regress = replay_dir(dir, replay_targets[i].one);
		printf("%s: %zu corpus and %zu regression inputs replayed\n",
		       replay_targets[i].name, seeds, regress);
	}
	return 0;
}
