/*
 * replay.c - runs a libFuzzer target over its kept corpus as a TAP test,
 * so every `make check` (and the ASan build) replays the corpus and the
 * regression inputs. Usage: replay_X DIR-OR-FILE...
 * With no arguments it reads $SRCDIR/tests/fuzz/corpus/<name>/ where
 * <name> is the program name without "replay_".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The inputs are listed first so the plan ("1..N") is printed before any
 * of them runs: a crash part-way then shows as a plan mismatch too. */
static char **inputs;
static size_t n_inputs, cap_inputs;
static int count;

static void add_input(const char *path)
{
	if (n_inputs == cap_inputs) {
		size_t cap = cap_inputs ? 2 * cap_inputs : 64;
		char **grown = realloc(inputs, cap * sizeof(*inputs));
		if (grown == NULL) {
			printf("Bail out! out of memory listing the corpus\n");
			exit(1);
		}
		inputs = grown;
		cap_inputs = cap;
	}
	inputs[n_inputs] = strdup(path);
	if (inputs[n_inputs] == NULL) {
		printf("Bail out! out of memory listing the corpus\n");
		exit(1);
	}
	n_inputs++;
}

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	struct stat st;
	long n;
	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: missing\n", ++count, path);
		return;
	}
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("not ok %d - %s: cannot read\n", ++count, path);
		if (f)
			fclose(f);
		return;
	}
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		printf("not ok %d - %s: cannot read\n", ++count, path);
	} else {
		/* A crash or sanitizer report aborts the program: the test fails. */
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		printf("ok %d - %s\n", ++count, path);
	}
	fflush(stdout);
	free(buf);
	fclose(f);
}

/* Lists the files under PATH (a missing path or unreadable directory is
 * listed as is, so it runs as a failing point). */
static void list_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		add_input(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		add_input(path);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			list_path(sub);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			list_path(argv[i]);
	} else {
		const char *src = getenv("SRCDIR");
		const char *prog = strrchr(argv[0], '/');
		char dir[4096];
		prog = prog ? prog + 1 : argv[0];
		if (strncmp(prog, "replay_", 7) == 0)
			prog += 7;
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : ".", prog);
		list_path(dir);
	}
	/* One point per input plus the empty input. */
	printf("1..%zu\n", n_inputs + 1);
	fflush(stdout);
	for (size_t i = 0; i < n_inputs; i++) {
		run_file(inputs[i]);
		free(inputs[i]);
	}
	free(inputs);
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("ok %d - empty input\n", ++count);
	return 0;
}
