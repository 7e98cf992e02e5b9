/* err: sentences for the project-wide error enum. */
#include "core/core.h"

static const char *const err_strings[ERR__MAX] = {
	[ERR_OK] = "success",
	[ERR_NOMEM] = "out of memory",
	[ERR_INVAL] = "invalid input",
	[ERR_TOOBIG] = "input too large",
	[ERR_DENIED] = "permission denied",
	[ERR_NOTFOUND] = "not found",
	[ERR_CONFLICT] = "already exists",
	[ERR_IO] = "input/output error",
	[ERR_UNAVAIL] = "service temporarily unavailable",
	[ERR_CRYPTO] = "cryptographic failure",
	[ERR_LIMIT] = "too many requests; try again later",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return "unknown error";
	return err_strings[e];
}
