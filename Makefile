# SPDX-License-Identifier: MIT
# tornwatch: each directory builds itself; user CFLAGS apply everywhere.
PREFIX ?= /usr/local
SUBDIRS := preload analyzer cli tests

.PHONY: all check example install bench bench-analyzer bench-html clean $(SUBDIRS)

all: preload analyzer cli

preload analyzer:
	@$(MAKE) -C $@

cli: analyzer
	@$(MAKE) -C $@

tests: all
	@$(MAKE) -C tests

check: all
	@$(MAKE) -C tests check

example: all
	@$(MAKE) -C tests all
	@examples/seed000.sh

bench: all
	@$(MAKE) -C tests bench

bench-analyzer: all
	@$(MAKE) -C tests bench-analyzer

bench-html: all
	@$(MAKE) -C tests bench-html

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 0755 cli/tornwatch $(DESTDIR)$(PREFIX)/bin/tornwatch
	install -m 0755 preload/libtornwatch.so $(DESTDIR)$(PREFIX)/lib/libtornwatch.so

clean:
	@for d in $(SUBDIRS); do $(MAKE) -C $$d clean; done
