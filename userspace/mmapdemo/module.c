// SPDX-License-Identifier: GPL-2.0
/* mmapdemo load and unload: through libkmod. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int run_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	char params[1024] = "", why[512];
	const char *path = NULL;
	int opt, i;

	while ((opt = getopt_long(argc, argv, "+P:", opts, NULL)) != -1) {
		if (opt != 'P')
			return usage_error(&cmd_load, "unknown option");
		path = optarg;
	}
	for (i = optind; i < argc; i++) {
		if (!strchr(argv[i], '='))
			return usage_error(&cmd_load,
					   "'%s' is not PARAM=VALUE", argv[i]);
		if (strlen(params) + strlen(argv[i]) + 2 > sizeof(params))
			return usage_error(&cmd_load, "parameters too long");
		if (*params)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	if (!path)
		path = md_module_default_path();
	if (md_module_load(path, params, why, sizeof(why)))
		return fail("load: %s", why);
	printf("%s: loaded %s%s%s\n", progname, path ? path : "mmapdemo",
	       *params ? " with " : "", params);
	return EXIT_OK;
}

static int run_unload(int argc, char **argv)
{
	char why[512];

	if (argc > 1)
		return usage_error(&cmd_unload, "unexpected argument '%s'",
				   argv[1]);
	if (md_module_unload(why, sizeof(why)))
		return fail("unload: %s", why);
	printf("%s: unloaded\n", progname);
	return EXIT_OK;
}

const struct cmd cmd_load = {
	.name = "load",
	.args = "[--path FILE] [PARAM=VALUE...]",
	.summary = "Load the module through libkmod",
	.help =
	"Parameters: size=BYTES (1 to 1 GiB, default 1 MiB), mode=fault|faultaround|\n"
	"remap|insert (default fault), alloc_order=N (largest contiguous allocation).\n\n"
	"  -P, --path FILE   the module file; default: $MMAPDEMO_KO, else the build\n"
	"                    tree's module for the running kernel, else the installed\n"
	"                    one (make install)\n",
	.run = run_load,
};

const struct cmd cmd_unload = {
	.name = "unload",
	.args = "",
	.summary = "Unload the module (fails while /dev/mmapdemo is open or mapped)",
	.help = "",
	.run = run_unload,
};
