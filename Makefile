# SPDX-License-Identifier: MIT
# tornwatch: each directory builds itself; user CFLAGS apply everywhere.
include dirs.mk
SUBDIRS := preload analyzer cli tests

.PHONY: all check example install uninstall bench bench-analyzer bench-html clean $(SUBDIRS)

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

# DESTDIR stages (a package); the CLI is built knowing LIBDIR itself.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 cli/tornwatch $(DESTDIR)$(BINDIR)/tornwatch
	install -m 0644 preload/libtornwatch.so $(DESTDIR)$(LIBDIR)/libtornwatch.so
	install -m 0644 doc/tornwatch.1 $(DESTDIR)$(MANDIR)/man1/tornwatch.1
	install -m 0644 doc/libtornwatch.7 $(DESTDIR)$(MANDIR)/man7/libtornwatch.7
	install -m 0644 doc/tornwatch.bash-completion $(DESTDIR)$(BASHCOMPDIR)/tornwatch

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tornwatch $(DESTDIR)$(LIBDIR)/libtornwatch.so \
		$(DESTDIR)$(MANDIR)/man1/tornwatch.1 $(DESTDIR)$(MANDIR)/man7/libtornwatch.7 \
		$(DESTDIR)$(BASHCOMPDIR)/tornwatch

clean:
	@for d in $(SUBDIRS); do $(MAKE) -C $$d clean; done
