/* SPDX-License-Identifier: MIT */
#ifndef TW_GROW_H
#define TW_GROW_H

#include <stdlib.h>

/* Room for one more element in a (ptr, n, cap) array: 1, or 0 out of memory. */
#define TW_GROW(ptr, n, cap)							\
	({									\
		int _ok = 1;							\
		if ((n) == (cap)) {						\
			size_t _c = (cap) ? (cap) * 2 : 16;			\
			void *_p = realloc((ptr), _c * sizeof(*(ptr)));		\
			if (_p) {						\
				(ptr) = _p;					\
				(cap) = _c;					\
			} else {						\
				_ok = 0;					\
			}							\
		}								\
		_ok;								\
	})

#endif
