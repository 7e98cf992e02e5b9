/*
 * tmpl_val: the values a page hands to a template. An object is a singly linked list of
 * (key, value) fields in insertion order, a list is a linked list of objects; everything
 * comes from the arena given to tmpl_obj, so a request frees its values in one go.
 *
 * Invariants: a key appears at most once in an object (setting it again replaces the
 * value in place, so pointers handed out earlier stay valid memory); every setter accepts
 * NULL for obj and does nothing, so a chain of calls after an allocation failure is safe.
 * On allocation failure a setter leaves the object as it was.
 */
#include <string.h>

#include "tmpl/tmpl_int.h"

struct tmpl_val *
tmpl_obj(struct arena *a)
{
	struct tmpl_val *v;

	if (a == NULL || (v = arena_alloc(a, sizeof(*v))) == NULL)
		return NULL;
	v->kind = TMPL__OBJ;
	v->arena = a;
	return v;
}

const struct tmpl_field *
tmpl__obj_find(const struct tmpl_val *obj, const char *key, size_t keylen)
{
	const struct tmpl_field *f;

	for (f = obj->u.obj.head; f; f = f->next)
		if (f->keylen == keylen && memcmp(f->key, key, keylen) == 0)
			return f;
	return NULL;
}

/*
 * The field called key in obj, created (as MISSING) when absent. Returns NULL when obj is
 * not an object or memory ran out. Setting a field to a new kind first resets it; the
 * caller then fills it.
 */
static struct tmpl_val *
tmpl_field(struct tmpl_val *obj, const char *key)
{
	struct tmpl_field *f;
	size_t keylen;

	if (obj == NULL || key == NULL || obj->kind != TMPL__OBJ)
		return NULL;
	keylen = strlen(key);
	f = (struct tmpl_field *)tmpl__obj_find(obj, key, keylen);
	if (f == NULL) {
		if ((f = arena_alloc(obj->arena, sizeof(*f))) == NULL)
			return NULL;
		if ((f->key = arena_strndup(obj->arena, key, keylen)) == NULL)
			return NULL; /* the unlinked field is reclaimed with the arena */
		f->keylen = keylen;
		if (obj->u.obj.tail)
			obj->u.obj.tail->next = f;
		else
			obj->u.obj.head = f;
		obj->u.obj.tail = f;
	}
	return &f->val;
}

/* Sets key to a string kind (STR or HTML), copying s; NULL s unsets key. */
static void
tmpl_set_text(struct tmpl_val *obj, const char *key, const char *s, enum tmpl__kind kind)
{
	struct tmpl_val *v;
	char *copy;
	size_t len;

	if (obj == NULL || obj->kind != TMPL__OBJ)
		return;
	if (s == NULL) {
		struct tmpl_field *f;

		if (key && (f = (struct tmpl_field *)tmpl__obj_find(obj, key, strlen(key))))
			f->val.kind = TMPL__MISSING;
		return;
	}
	len = strlen(s);
	if ((copy = arena_strndup(obj->arena, s, len)) == NULL ||
	    (v = tmpl_field(obj, key)) == NULL)
		return;
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->arena = obj->arena;
	v->u.str.p = copy;
	v->u.str.len = len;
}

void
tmpl_set_str(struct tmpl_val *obj, const char *key, const char *s)
{
	tmpl_set_text(obj, key, s, TMPL__STR);
}

void
tmpl_set_html(struct tmpl_val *obj, const char *key, const char *html)
{
	tmpl_set_text(obj, key, html, TMPL__HTML);
}

void
tmpl_set_int(struct tmpl_val *obj, const char *key, int64_t i)
{
	struct tmpl_val *v;

	if ((v = tmpl_field(obj, key)) == NULL)
		return;
	memset(v, 0, sizeof(*v));
	v->kind = TMPL__INT;
	v->arena = obj->arena;
	v->u.i = i;
}

void
tmpl_set_bool(struct tmpl_val *obj, const char *key, bool b)
{
	struct tmpl_val *v;

	if ((v = tmpl_field(obj, key)) == NULL)
		return;
	memset(v, 0, sizeof(*v));
	v->kind = TMPL__BOOL;
	v->arena = obj->arena;
	v->u.b = b;
}

/* Sets key to a new empty container of kind (OBJ or LIST) and returns it. */
static struct tmpl_val *
tmpl_set_container(struct tmpl_val *obj, const char *key, enum tmpl__kind kind)
{
	struct tmpl_val *v;

	if ((v = tmpl_field(obj, key)) == NULL)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->arena = obj->arena;
	return v;
}

struct tmpl_val *
tmpl_set_obj(struct tmpl_val *obj, const char *key)
{
	return tmpl_set_container(obj, key, TMPL__OBJ);
}

struct tmpl_val *
tmpl_set_list(struct tmpl_val *obj, const char *key)
{
	return tmpl_set_container(obj, key, TMPL__LIST);
}

struct tmpl_val *
tmpl_list_add(struct tmpl_val *list)
{
	struct tmpl_val *item;

	if (list == NULL || list->kind != TMPL__LIST)
		return NULL;
	if ((item = tmpl_obj(list->arena)) == NULL)
		return NULL;
	if (list->u.list.tail)
		list->u.list.tail->next = item;
	else
		list->u.list.head = item;
	list->u.list.tail = item;
	return item;
}

bool
tmpl__truthy(const struct tmpl_val *v)
{
	if (v == NULL)
		return false;
	switch (v->kind) {
	case TMPL__STR:
	case TMPL__HTML:
		return v->u.str.len > 0;
	case TMPL__INT:
		return v->u.i != 0;
	case TMPL__BOOL:
		return v->u.b;
	case TMPL__OBJ:
		return true;
	case TMPL__LIST:
		return v->u.list.head != NULL;
	default:
		return false;
	}
}
