# SPDX-License-Identifier: MIT
# Shared build settings: quiet rules unless V=1, dependency files, sanitizers.
CC ?= cc
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -MMD -MP
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

define quiet
$(if $(Q),@printf '  %-6s %s\n' $(1) $(2);)
endef
