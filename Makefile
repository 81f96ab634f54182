# SPDX-License-Identifier: GPL-2.0
# mmapdemo: build the module and the tools, and run them in QEMU guests.
# "make help" lists the targets.

DEFAULT_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(DEFAULT_KDIR)
KERNEL ?= 6.12
KERNELS ?=
PREFIX ?= /usr/local
DESTDIR ?=
SHELL := /bin/bash

TOP := $(CURDIR)
# Installs what a task needs (the lists: task_packages in scripts/lib.sh).
DEPS := $(TOP)/scripts/deps


all: module userspace

help:
	@echo "make [KDIR=...]          build driver/mmapdemo.ko and the userspace programs"
	@echo "make check [KERNELS=..]  build for 6.1, 6.12, 6.12-rt, 7.3, 7.3-rt and the debug kernel, run the suite in QEMU"
	@echo "make check-debug         only the KASAN/lockdep/kmemleak debug kernel (= make check KERNELS=debug)"
	@echo "make demo                boot a guest and show the mapping table of 'mmapdemo demo'"
	@echo "make vm CMD='...'        run a command in a guest with the module loaded (KERNEL=6.12)"
	@echo "make shell               an interactive shell in a guest with /dev/mmapdemo"
	@echo "make trace               record the fault path of each scenario with ftrace"
	@echo "make bench               the benchmark, with tables, CSV and plots"
	@echo "make lint                W=1, sparse and checkpatch on 6.1, 6.12 and 7.3"
	@echo "make install / uninstall modules_install and the programs under PREFIX"

module:
	@$(DEPS) build
	@# The running kernel's headers, as root, if the archive has them.
	@if [ ! -f "$(KDIR)/Makefile" ] && [ "$(KDIR)" = "$(DEFAULT_KDIR)" ] && \
		[ "$$(id -u)" = 0 ]; then \
		$(DEPS) -p "linux-headers-$$(uname -r)" || true; \
	fi
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at $(KDIR)." >&2; \
		echo "Install the headers of the kernel you build for (Debian: linux-headers-$$(uname -r))," >&2; \
		echo "or point KDIR at one: make KDIR=/usr/src/linux-headers-<version>." >&2; \
		echo "make check uses Debian's linux-headers-amd64 (6.1), linux-headers-6.12-amd64" >&2; \
		echo "and linux-headers-6.12-rt-amd64 and installs them itself." >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(TOP) modules

userspace:
	@$(DEPS) build
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests

check:
	scripts/check $(KERNELS)

check-debug:
	scripts/check debug

demo:
	scripts/vm -k $(KERNEL) -- build/bin/mmapdemo demo

vm:
	scripts/vm -k $(KERNEL) -- bash -c '$(if $(CMD),$(CMD),build/bin/mmapdemo info)'

shell:
	scripts/vm -k $(KERNEL) --shell

trace:
	scripts/trace $(KERNELS)

bench:
	scripts/bench $(KERNELS)

lint:
	scripts/lint

# The release KDIR builds for, and where modules_install puts the module
# (under driver/, as the top-level Kbuild builds it there).
KRELEASE = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
MODDIR = $(DESTDIR)/lib/modules/$(KRELEASE)/extra

install: all
	@$(DEPS) install
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KRELEASE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/mmapdemo
	install -m 0755 $(wildcard build/bin/mmapdemo build/bin/mmapdemo-*) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 driver/uapi/mmapdemo.h $(DESTDIR)$(PREFIX)/include/mmapdemo/

uninstall:
	rm -f $(MODDIR)/driver/mmapdemo.ko $(MODDIR)/driver/mmapdemo.ko.xz \
		$(MODDIR)/driver/mmapdemo.ko.zst
	-rmdir $(MODDIR)/driver $(MODDIR) 2>/dev/null
	-depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KRELEASE)
	rm -f $(DESTDIR)$(PREFIX)/bin/mmapdemo $(DESTDIR)$(PREFIX)/bin/mmapdemo-*
	rm -rf $(DESTDIR)$(PREFIX)/include/mmapdemo

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C selftests clean 2>/dev/null
	rm -rf build

.PHONY: all help module userspace selftests check check-debug demo vm shell \
	trace bench lint install uninstall clean
