// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: load and unload the module through libkmod, and turn the
 * kernel's answer into a sentence a person can act on.
 *
 * Which file: $MMAPDEMO_KO if set; else the build tree's module for the
 * running kernel (build/<release>/driver/mmapdemo.ko beside build/bin/,
 * then driver/mmapdemo.ko of the source tree if it was built for this
 * kernel); else the installed module that modules.dep names.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libmmapdemo.h"

static char default_path[PATH_MAX];

/* libkmod's own error lines: quiet, each failure gets a sentence of ours. */
static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
}

static struct kmod_ctx *kmod_start(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, kmod_quiet, NULL);
	return ctx;
}

static int set_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	errno = err;
	return -1;
}

int md_module_built_for(const char *path, char *release, size_t len)
{
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret = -ENOENT;

	ctx = kmod_start();
	if (!ctx)
		return -1;
	if (kmod_module_new_from_path(ctx, path, &mod) < 0 ||
	    kmod_module_get_info(mod, &info) < 0)
		goto out;
	kmod_list_foreach(l, info) {
		const char *key = kmod_module_info_get_key(l);
		const char *value = kmod_module_info_get_value(l);

		if (key && value && !strcmp(key, "vermagic")) {
			snprintf(release, len, "%.*s", (int)strcspn(value, " "),
				 value);
			ret = 0;
			break;
		}
	}
out:
	kmod_module_info_free_list(info);
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

static bool built_for_running(const char *path)
{
	struct utsname u;
	char release[256];

	if (access(path, R_OK) || uname(&u))
		return false;
	return !md_module_built_for(path, release, sizeof(release)) &&
	       !strcmp(release, u.release);
}

const char *md_module_default_path(void)
{
	char exe[PATH_MAX], *slash;
	struct utsname u;
	ssize_t n;

	if (getenv("MMAPDEMO_KO") && *getenv("MMAPDEMO_KO"))
		return getenv("MMAPDEMO_KO");

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && !uname(&u)) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';	/* .../build/bin */
			n = snprintf(default_path, sizeof(default_path),
				     "%s/../%s/driver/mmapdemo.ko", exe,
				     u.release);
			if (n < (ssize_t)sizeof(default_path) &&
			    built_for_running(default_path))
				return default_path;
			n = snprintf(default_path, sizeof(default_path),
				     "%s/../../driver/mmapdemo.ko", exe);
			if (n < (ssize_t)sizeof(default_path) &&
			    built_for_running(default_path))
				return default_path;
		}
	}
	return NULL;
}

/* The kernel's own words about mmapdemo since @kmsg was opened. */
static void kmsg_explain(int kmsg, char *out, size_t len)
{
	char rec[1024];
	ssize_t n;

	if (kmsg < 0)
		return;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		char *text;

		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text || !strstr(text, MD_MODULE))
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		snprintf(out, len, "%s", text);
	}
}

static int explain_load(int err, const char *path, const char *params,
			const char *kernel_says, char *why, size_t len)
{
	char release[256] = "";
	struct utsname u;

	uname(&u);
	switch (err) {
	case EEXIST:
		return set_why(why, len, err, "mmapdemo is already loaded");
	case EPERM:
	case EACCES:
		return set_why(why, len, err,
			       "permission denied: loading a module needs root (CAP_SYS_MODULE)");
	case ENOENT:
		return set_why(why, len, err, "no module file at %s", path);
	case ENOEXEC:
		if (!md_module_built_for(path, release, sizeof(release)) &&
		    strcmp(release, u.release))
			return set_why(why, len, err,
				       "%s was built for kernel %s, but %s is running: rebuild it with make KDIR=/lib/modules/%s/build",
				       path, release, u.release, u.release);
		return set_why(why, len, err,
			       "the kernel refused %s as not a valid module for it%s%s",
			       path, *kernel_says ? ": " : "", kernel_says);
	case EKEYREJECTED:
	case ENOKEY:
		return set_why(why, len, err,
			       "this kernel only loads signed modules (module.sig_enforce or Secure Boot lockdown); sign mmapdemo.ko or use a kernel that allows unsigned modules");
	case ENOMEM:
		return set_why(why, len, err,
			       "out of memory allocating the buffer%s%s",
			       *kernel_says ? ": " : "", kernel_says);
	case EINVAL:
		return set_why(why, len, err, "invalid parameters \"%s\"%s%s",
			       params ? params : "",
			       *kernel_says ? ": " : "", kernel_says);
	default:
		return set_why(why, len, err, "loading %s failed: %s%s%s", path,
			       strerror(err), *kernel_says ? ": " : "",
			       kernel_says);
	}
}

int md_module_load(const char *path, const char *params, char *why,
		   size_t whylen)
{
	struct kmod_module *mod = NULL;
	char kernel_says[512] = "";
	struct kmod_ctx *ctx;
	int kmsg, ret, err;

	if (!path)
		path = md_module_default_path();

	ctx = kmod_start();
	if (!ctx)
		return set_why(why, whylen, ENOMEM, "libkmod: cannot start");

	if (path) {
		ret = kmod_module_new_from_path(ctx, path, &mod);
	} else {
		struct kmod_list *list = NULL;

		ret = kmod_module_new_from_lookup(ctx, MD_MODULE, &list);
		if (ret >= 0 && list) {
			mod = kmod_module_get_module(list);
			kmod_module_unref_list(list);
		}
		if (ret >= 0 && (!mod || !kmod_module_get_path(mod))) {
			if (mod)
				kmod_module_unref(mod);
			kmod_unref(ctx);
			return set_why(why, whylen, ENOENT,
				       "no mmapdemo.ko for this kernel: build it with make, set MMAPDEMO_KO, or install it with make install");
		}
		if (ret >= 0)
			path = kmod_module_get_path(mod);
	}
	if (ret < 0) {
		kmod_unref(ctx);
		return set_why(why, whylen, -ret, "cannot open %s: %s",
			       path ? path : MD_MODULE, strerror(-ret));
	}

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	ret = kmod_module_insert_module(mod, 0, params ? params : "");
	err = -ret;
	if (ret < 0) {
		kmsg_explain(kmsg, kernel_says, sizeof(kernel_says));
		explain_load(err, path, params, kernel_says, why, whylen);
	}
	if (kmsg >= 0)
		close(kmsg);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (ret < 0) {
		errno = err;
		return -1;
	}
	return 0;
}

bool md_module_loaded(void)
{
	return access("/sys/module/" MD_MODULE "/initstate", F_OK) == 0;
}

int md_module_unload(char *why, size_t whylen)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret;

	ctx = kmod_start();
	if (!ctx)
		return set_why(why, whylen, ENOMEM, "libkmod: cannot start");
	ret = kmod_module_new_from_name(ctx, MD_MODULE, &mod);
	if (ret >= 0)
		ret = kmod_module_remove_module(mod, 0);
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	if (ret >= 0)
		return 0;

	switch (-ret) {
	case ENOENT:
		return set_why(why, whylen, ENOENT, "mmapdemo is not loaded");
	case EAGAIN:	/* the kernel's EWOULDBLOCK: the module is in use */
	case EBUSY:
		return set_why(why, whylen, -ret,
			       "mmapdemo is in use: a process still has /dev/mmapdemo open or mapped");
	case EPERM:
	case EACCES:
		return set_why(why, whylen, -ret,
			       "permission denied: unloading a module needs root (CAP_SYS_MODULE)");
	default:
		return set_why(why, whylen, -ret, "unloading mmapdemo failed: %s",
			       strerror(-ret));
	}
}
