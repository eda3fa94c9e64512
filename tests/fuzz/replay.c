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

static int count;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
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

static void run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: missing\n", ++count, path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			run_path(sub);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		const char *src = getenv("SRCDIR");
		const char *prog = strrchr(argv[0], '/');
		char dir[4096];
		prog = prog ? prog + 1 : argv[0];
		if (strncmp(prog, "replay_", 7) == 0)
			prog += 7;
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : ".", prog);
		run_path(dir);
	}
	/* Always at least one point: the empty input. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("ok %d - empty input\n", ++count);
	printf("1..%d\n", count);
	return 0;
}
