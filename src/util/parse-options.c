// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse-options.h"

int levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *rows, *prev2, *prev, *cur, *tmp, d;
	size_t i, j;

	rows = calloc(3 * (lb + 1), sizeof(int));
	if (!rows)
		return 1 << 20;
	prev2 = rows;
	prev = prev2 + lb + 1;
	cur = prev + lb + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			d = sub < del ? sub : del;
			d = d < ins ? d : ins;
			/* a transposition ("reocrd") costs one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	d = prev[lb];
	free(rows);
	return d;
}

static const char *cmd_name(const char *const *usagestr)
{
	/* "jifl record [<options>]" -> "jifl record" for error lines */
	static char name[64];
	const char *u = usagestr[0];
	const char *end = strstr(u, " [");

	snprintf(name, sizeof(name), "%.*s",
		 end ? (int)(end - u) : (int)strlen(u), u);
	return name;
}

static void print_option(FILE *fp, const struct option *o)
{
	char buf[64];
	int n = 0;

	if (o->short_name)
		n += snprintf(buf + n, sizeof(buf) - n, "-%c", o->short_name);
	if (o->long_name)
		n += snprintf(buf + n, sizeof(buf) - n, "%s--%s",
			      o->short_name ? ", " : "", o->long_name);
	if (o->argh)
		n += snprintf(buf + n, sizeof(buf) - n,
			      o->optional_arg ? "[=<%s>]" : " <%s>", o->argh);
	if (n > 26)
		fprintf(fp, "    %s\n%32s%s\n", buf, "", o->help);
	else
		fprintf(fp, "    %-28s%s\n", buf, o->help);
}

void usage_with_options(const char *const *usagestr,
			const struct option *options, bool to_stderr)
{
	FILE *fp = to_stderr ? stderr : stdout;
	const struct option *o;
	int i;

	fprintf(fp, "\n Usage: %s\n", usagestr[0]);
	for (i = 1; usagestr[i]; i++) {
		if (usagestr[i][0] == '\0')
			fputc('\n', fp);
		else if (!strncmp(usagestr[i], "   or", 5))
			fprintf(fp, " %s\n", usagestr[i]);
		else
			fprintf(fp, "    %s\n", usagestr[i]);
	}
	fputc('\n', fp);
	for (o = options; o->type != OPTION_END; o++) {
		if (o->type == OPTION_GROUP)
			fprintf(fp, "\n%s\n", o->help);
		else
			print_option(fp, o);
	}
	print_option(fp, &(struct option){ .short_name = 'h',
		     .long_name = "help", .help = "show this help" });
	fputc('\n', fp);
}

static void __attribute__((noreturn, format(printf, 3, 4)))
usage_error(const char *const *usagestr, const char *hint, const char *fmt,
	    ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd_name(usagestr));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (hint)
		fprintf(stderr, " (did you mean '%s'?)", hint);
	fprintf(stderr, "; see '%s --help'\n", cmd_name(usagestr));
	exit(EXIT_USAGE);
}

static const char *closest_long(const struct option *options,
				const char *name)
{
	const struct option *o;
	const char *best = NULL;
	static char buf[64];
	int best_d = 3;

	for (o = options; o->type != OPTION_END; o++) {
		int d;

		if (!o->long_name)
			continue;
		d = levenshtein(name, o->long_name);
		if (d < best_d ||
		    (!strncmp(o->long_name, name, strlen(name)) && d < 8)) {
			best_d = d < 3 ? d : 2;
			best = o->long_name;
		}
	}
	if (levenshtein(name, "help") < best_d)
		best = "help";
	if (!best)
		return NULL;
	snprintf(buf, sizeof(buf), "--%s", best);
	return buf;
}

static int set_value(const struct option *o, const char *arg, bool negated,
		     const char *const *usagestr)
{
	char *end;
	long v;

	switch (o->type) {
	case OPTION_BOOLEAN:
		*(bool *)o->value = !negated;
		return 0;
	case OPTION_INCR:
		*(int *)o->value = negated ? 0 : *(int *)o->value + 1;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPTION_INTEGER:
		errno = 0;
		v = strtol(arg, &end, 0);
		if (errno || end == arg || *end)
			usage_error(usagestr, NULL, "'%s' is not a number", arg);
		*(long *)o->value = v;
		return 0;
	case OPTION_CALLBACK:
		return o->callback(o, arg);
	default:
		return 0;
	}
}

static bool takes_arg(const struct option *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_INTEGER ||
	       (o->type == OPTION_CALLBACK && o->argh && !o->optional_arg);
}

static void apply(const struct option *o, const char *arg, bool negated,
		  const char *const *usagestr)
{
	if (set_value(o, arg, negated, usagestr) < 0)
		exit(EXIT_USAGE);	/* the callback said why */
}

/* Returns how many argv slots were consumed (1 or 2). */
static int parse_long(int argc, const char **argv, const struct option *options,
		      const char *const *usagestr)
{
	const char *name = argv[0] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option *o, *match = NULL;
	bool negated = false;
	char shown[128];

	for (o = options; o->type != OPTION_END; o++) {
		if (!o->long_name)
			continue;
		if (strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len)) {
			match = o;
			break;
		}
		if (o->type == OPTION_BOOLEAN && len > 3 &&
		    !strncmp(name, "no-", 3) && strlen(o->long_name) == len - 3 &&
		    !strncmp(o->long_name, name + 3, len - 3)) {
			match = o;
			negated = true;
			break;
		}
	}
	snprintf(shown, sizeof(shown), "--%.*s", (int)len, name);
	if (!match) {
		char base[128];

		if (len == 4 && !strncmp(name, "help", 4)) {
			usage_with_options(usagestr, options, false);
			exit(0);
		}
		snprintf(base, sizeof(base), "%.*s", (int)len, name);
		usage_error(usagestr, closest_long(options, base),
			    "unknown option '%s'", shown);
	}
	if (takes_arg(match)) {
		if (eq) {
			apply(match, eq + 1, false, usagestr);
			return 1;
		}
		if (argc < 2)
			usage_error(usagestr, NULL, "option '%s' needs a value",
				    shown);
		apply(match, argv[1], false, usagestr);
		return 2;
	}
	if (eq && !(match->type == OPTION_CALLBACK && match->optional_arg))
		usage_error(usagestr, NULL, "option '%s' takes no value", shown);
	apply(match, eq ? eq + 1 : NULL, negated, usagestr);
	return 1;
}

static int parse_short(int argc, const char **argv,
		       const struct option *options,
		       const char *const *usagestr)
{
	const char *p;

	for (p = argv[0] + 1; *p; p++) {
		const struct option *o;
		char shown[3] = { '-', *p, 0 };

		if (*p == 'h') {
			usage_with_options(usagestr, options, false);
			exit(0);
		}
		for (o = options; o->type != OPTION_END; o++)
			if (o->short_name == *p)
				break;
		if (o->type == OPTION_END)
			usage_error(usagestr, NULL, "unknown option '%s'", shown);
		if (!takes_arg(o)) {
			apply(o, NULL, false, usagestr);
			continue;
		}
		if (p[1]) {		/* -ofile */
			apply(o, p + 1, false, usagestr);
			return 1;
		}
		if (argc < 2)
			usage_error(usagestr, NULL, "option '%s' needs a value",
				    shown);
		apply(o, argv[1], false, usagestr);
		return 2;
	}
	return 1;
}

int parse_options(int argc, const char **argv, const struct option *options,
		  const char *const *usagestr, int flags)
{
	int i = 1, out = 0;

	while (i < argc) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			if (flags & PARSE_OPT_KEEP_DASHDASH)
				argv[out++] = arg;
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION)
				break;
			argv[out++] = arg;
			i++;
			continue;
		}
		if (!strcmp(arg, "--list-opts")) {
			/* for the shell completions: every long option */
			const struct option *o;

			for (o = options; o->type != OPTION_END; o++)
				if (o->long_name)
					printf("--%s ", o->long_name);
			printf("--help\n");
			exit(0);
		}
		if (arg[1] == '-')
			i += parse_long(argc - i, argv + i, options, usagestr);
		else
			i += parse_short(argc - i, argv + i, options, usagestr);
	}
	while (i < argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	return out;
}
