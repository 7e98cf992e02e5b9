/*
 * fuzz_check: the assertion the fuzz bodies (fuzz/fuzz_*_body.h) use for invariants.
 * A violated invariant prints where and abort()s, which libFuzzer records as a crash
 * and the replay test (tests/unit/test_fuzz_replay.c) reports as a failure.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(c)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
			        #c);                                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
