# SPDX-License-Identifier: MIT
# Where `make install` puts things; the CLI is built knowing LIBDIR.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/tornwatch
# LIBDIR seen from BINDIR's parent: an installed tree moved elsewhere.
LIBDIR_REL := $(if $(filter $(PREFIX)/%,$(LIBDIR)),$(patsubst $(PREFIX)/%,%,$(LIBDIR)),lib)
