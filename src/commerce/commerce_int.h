/* commerce_int: what the commerce module's files share. */
#ifndef COMMERCE_INT_H
#define COMMERCE_INT_H

#include "commerce/commerce.h"
#include "core/limits.h"

#endif
