/* embed: lookup in the build-time table of embedded files. */
#include <string.h>

#include "core/embed.h"

const struct embed_file *
embed_find(const char *name)
{
	const struct embed_file *f;

	for (f = embed_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
