// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: touch a page of the arena, read or write. A reserve page
 * or a page without the access gives SIGSEGV, a demand-paged page past
 * the end SIGBUS, a page inside the buffer never SIGBUS; a read shows the
 * model's bytes (the buffer, or our private copy); a write reaches the
 * buffer through a shared mapping and only our copy through a private
 * one.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static const char *sig_name(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "ok";
}

static bool verify_page(struct fz *z, unsigned int i, const char *after)
{
	const uint8_t *want = page_bytes(z, i), *got = (const uint8_t *)apage_addr(z, i);
	char d[200];
	size_t k;

	if (!memcmp(got, want, z->ps)) {
		z->bytes_checked += z->ps;
		return true;
	}
	for (k = 0; got[k] == want[k]; k++)
		;
	describe_page(z, i, d, sizeof(d));
	fail(z, "%s %s: byte %zu is 0x%02x, want 0x%02x", after, d, k, got[k], want[k]);
	return false;
}

void op_touch(struct fz *z)
{
	unsigned int i = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2), tries;
	bool write = rng_chance(z, 45);
	enum md_probe_result r;
	int want, got;
	char d[200];

	/* Mostly device pages. */
	for (tries = 0; tries < 8 && z->ap[i].kind != A_DEV; tries++)
		i = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2);
	/* md_probe() writes by reading the byte and storing it back. */
	want = page_signal(z, i, false);
	if (!want && write)
		want = page_signal(z, i, true);
	describe_page(z, i, d, sizeof(d));
	if (want < 0) {
		fail(z, "model: %s is past the end of the buffer, which a pin forbids", d);
		return;
	}
	r = md_probe(apage_addr(z, i), write);
	got = r == MD_PROBE_SIGBUS ? SIGBUS : r == MD_PROBE_SIGSEGV ? SIGSEGV : 0;
	note(z, "%s %s -> %s", write ? "write" : "read", d, sig_name(got));
	if (got != want) {
		fail(z, "%s of %s: %s, want %s", write ? "write" : "read", d,
		     sig_name(got), sig_name(want));
		return;
	}
	if (got) {
		(*(got == SIGBUS ? &z->sigbus : &z->sigsegv))++;
		return;
	}
	if (write) {
		size_t off = rng_below(z, z->ps), len = 1 + rng_below(z, z->ps - off);
		uint8_t *dst = page_for_write(z, i);

		md_pattern_fill(dst + off, len, z->ap[i].pgoff * z->ps + off,
				(uint32_t)z->opno);
		/* Reads need PROT_READ or PROT_WRITE: x86 reads a write-only page. */
		memcpy(apage_addr(z, i) + off, dst + off, len);
	}
	verify_page(z, i, write ? "read back after a write of" : "read of");
}
