/* SPDX-License-Identifier: MIT */
#ifndef TW_GROW_H
#define TW_GROW_H

#include <stdint.h>
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

/* Grows *v to hold at least n elements of size sz; 0, or -1 out of memory. */
static inline int tw_grow_to(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap = *cap ? *cap : 16;
	void *nv;

	if (n <= *cap) {
		return 0;
	}
	while (ncap < n) {
		if (ncap > SIZE_MAX / 2) {
			return -1;
		}
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / sz) {
		return -1;
	}
	nv = realloc(*v, ncap * sz);
	if (!nv) {
		return -1;
	}
	*v = nv;
	*cap = ncap;
	return 0;
}

#endif
