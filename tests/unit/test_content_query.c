/*
 * test_content_query.c - the reader of `content query` output
 * (parsers/system/content.h) against hostile values: ", " and "=" and
 * newlines inside bodies, Chinese and emoji, empty and NULL values, a body
 * that forges the next row, output cut short; and the call-log parser over
 * such a file into case.db.
 */
#include "parsers/system/content.h"
#include "tests/harness/tap.h"
#include "tests/unit/test_parse_util.h"

#include <stdlib.h>
#include <string.h>

static const char *const sms_cols[] = {"_id", "thread_id", "date", "type", "read", "body"};

struct got {
	size_t n;
	int64_t id[16];
	char *body[16];
	bool null[16];
	bool amb[16];
	char *thread[16];
};

static enum cu_status collect(void *ctx, const struct cu_cq_row *r, struct cu_error *err)
{
	struct got *g = ctx;
	(void)err;
	if (g->n >= 16)
		return CU_OK;
	g->id[g->n] = r->id;
	g->body[g->n] = strndup(r->v[5].p, r->v[5].n);
	g->null[g->n] = r->v[5].null;
	g->amb[g->n] = r->ambiguous;
	g->thread[g->n] = strndup(r->v[1].p, r->v[1].n);
	g->n++;
	return CU_OK;
}

static void got_release(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->body[i]);
		free(g->thread[i]);
	}
	memset(g, 0, sizeof(*g));
}

static enum cu_status run(const char *text, const int64_t *ids, size_t nids, struct got *g,
			  size_t *amb, struct cu_error *err)
{
	memset(g, 0, sizeof(*g));
	return cu_cq_parse(text, strlen(text), "sms.txt", sms_cols, 6, ids, nids, collect, g, amb,
			   err);
}

int main(void)
{
	struct cu_error err;
	struct got g;
	int64_t *ids = NULL;
	size_t nids = 0, amb = 0;

	tap_plan(40);
	cu_error_clear(&err);

	/* the _id list */
	tap_is_int(cu_cq_parse_ids("Row: 0 _id=1\nRow: 1 _id=5\nRow: 2 _id=-3\n", 40, "ids", &ids,
				   &nids, &err),
		   CU_OK, "id list parses");
	tap_ok(nids == 3 && ids[0] == 1 && ids[1] == 5 && ids[2] == -3, "ids 1, 5, -3 in order");
	free(ids);
	tap_is_int(cu_cq_parse_ids("No result found.\n", 17, "ids", &ids, &nids, &err), CU_OK,
		   "an empty table");
	tap_ok(nids == 0 && ids == NULL, "no ids");
	tap_is_int(cu_cq_parse_ids("Row: 1 _id=1\n", 13, "ids", &ids, &nids, &err), CU_E_FORMAT,
		   "an id list not counting from row 0 is refused");
	tap_is_int(cu_cq_parse_ids("Row: 0 _id=1, body=x\n", 21, "ids", &ids, &nids, &err),
		   CU_E_FORMAT, "an id list with another column is refused");
	tap_ok(strstr(err.msg, "ids") != NULL && strstr(err.msg, "line 1") != NULL,
	       "the message names the file and the line: %s", err.msg);

	/* ", " and "=" inside a body: never split */
	int64_t one[] = {1}, two[] = {1, 2}, three[] = {1, 2, 3};
	tap_is_int(run("Row: 0 _id=1, thread_id=4, date=1700000000000, type=1, read=1, "
		       "body=hi, type=2, body=x=y, read=0\n",
		       one, 1, &g, &amb, &err),
		   CU_OK, "a body with ', ' and '=' parses");
	tap_is_int((int64_t)g.n, 1, "one row, not split");
	tap_is_str(g.body[0], "hi, type=2, body=x=y, read=0", "the body is whole");
	tap_is_str(g.thread[0], "4", "the fixed columns read");
	got_release(&g);

	/* newlines, Chinese and emoji; two rows not merged */
	tap_is_int(run("Row: 0 _id=1, thread_id=1, date=1, type=1, read=1, body=第一行\n"
		       "第二行, 价格=500元 😀\n\nRow: 1 tail\n"
		       "Row: 1 _id=2, thread_id=1, date=2, type=2, read=1, body=二\n",
		       two, 2, &g, &amb, &err),
		   CU_OK, "a body with newlines parses");
	tap_is_int((int64_t)g.n, 2, "two rows, not merged");
	tap_is_str(g.body[0], "第一行\n第二行, 价格=500元 😀\n\nRow: 1 tail",
		   "the multi-line body is whole, its blank line and a fake 'Row: 1' kept");
	tap_is_str(g.body[1], "二", "the second body");
	tap_is_int((int64_t)amb, 0, "nothing ambiguous");
	got_release(&g);

	/* a body that forges the next row's start in full */
	tap_is_int(run("Row: 0 _id=1, thread_id=1, date=1, type=1, read=1, body=pay now\n"
		       "Row: 1 _id=2, thread_id=1, date=9, type=1, read=1, body=forged\n"
		       "Row: 1 _id=2, thread_id=1, date=2, type=2, read=1, body=real\n",
		       two, 2, &g, &amb, &err),
		   CU_OK, "a forged next row parses");
	tap_is_str(g.body[0],
		   "pay now\nRow: 1 _id=2, thread_id=1, date=9, type=1, read=1, body=forged",
		   "the forging body stays whole (latest row start taken)");
	tap_is_str(g.body[1], "real", "the real next row is the last one");
	tap_ok(g.amb[1] && (int64_t)amb == 1, "and the split is reported as ambiguous");
	got_release(&g);

	/* the anchor list keeps a forged row out of a one-row table */
	tap_is_int(run("Row: 0 _id=1, thread_id=1, date=1, type=1, read=1, body=x\n"
		       "Row: 1 _id=2, thread_id=1, date=9, type=1, read=1, body=forged\n",
		       one, 1, &g, &amb, &err),
		   CU_OK, "one anchored row");
	tap_is_int((int64_t)g.n, 1, "the forged row is no row");
	tap_ok(g.body[0] && strstr(g.body[0], "body=forged") != NULL, "it stays in the body");
	got_release(&g);
	/* without anchors the same text gives two rows: why the id list is queried */
	tap_is_int(run("Row: 0 _id=1, thread_id=1, date=1, type=1, read=1, body=x\n"
		       "Row: 1 _id=2, thread_id=1, date=9, type=1, read=1, body=forged\n",
		       NULL, 0, &g, &amb, &err),
		   CU_OK, "unanchored");
	tap_is_int((int64_t)g.n, 2, "without the id list the forgery would be a row");
	got_release(&g);

	/* empty, NULL, trailing newlines */
	tap_is_int(run("Row: 0 _id=1, thread_id=NULL, date=1, type=1, read=1, body=\n"
		       "Row: 1 _id=2, thread_id=1, date=2, type=1, read=1, body=NULL\n"
		       "Row: 2 _id=3, thread_id=1, date=3, type=1, read=1, body=end\n\n",
		       three, 3, &g, &amb, &err),
		   CU_OK, "empty and NULL values");
	tap_ok(g.body[0] && g.body[0][0] == '\0' && !g.null[0], "an empty body is empty, not NULL");
	tap_ok(g.null[1], "NULL is NULL");
	tap_is_str(g.body[2], "end\n", "the last body keeps its own newline (println adds one)");
	tap_is_str(g.thread[0], "NULL", "a NULL fixed value reads as NULL");
	got_release(&g);

	/* cut short, not this projection, nothing */
	tap_is_int(run("Row: 0 _id=1, thread_id=1, date=1, type=1, read=1, body=a\n", two, 2, &g,
		       &amb, &err),
		   CU_E_FORMAT, "a row of the id list missing is refused");
	tap_ok(strstr(err.msg, "_id 2") != NULL, "naming its _id: %s", err.msg);
	got_release(&g);
	tap_is_int(run("Row: 0 _id=1, date=1, body=a\n", one, 1, &g, &amb, &err), CU_E_FORMAT,
		   "another projection is refused");
	got_release(&g);
	tap_is_int(run("No result found.\n", NULL, 0, &g, &amb, &err), CU_OK, "no rows");
	tap_is_int((int64_t)g.n, 0, "none given");
	tap_is_int(run("No result found.\n", one, 1, &g, &amb, &err), CU_E_FORMAT,
		   "no rows while the id list has one is refused");
	tap_is_int(run("Error while accessing provider:sms\njava.lang.SecurityException\n", NULL, 0,
		       &g, &amb, &err),
		   CU_E_FORMAT, "an error text is not rows");

	/* the call-log parser over such a file, into case.db */
	const char *dir = tap_tmpdir("content_query");
	char path[512];
	snprintf(path, sizeof(path), "%s/calls.txt", dir);
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		tap_bail("cannot write calls.txt");
	fputs("Row: 0 _id=7, date=1700000000000, duration=65, type=1, number=+86 138 0013 "
	      "8000\nRow: 1 _id=9, date=1700000100000, duration=0, type=3, number=10086, "
	      "type=2\n",
	      f);
	fclose(f);
	sqlite3 *db = tpu_casedb();
	struct cu_parse_stats st;
	memset(&st, 0, sizeof(st));
	TAP_MUST(tpu_parse(db, "android-content-calls", path, "/_adb/content/calls.txt", "android",
			   NULL, &st, &err));
	tap_is_int(tpu_int(db, "SELECT count(*) FROM calls"), 2, "two calls in case.db");
	tap_is_str(tpu_text(db, "SELECT counterpart FROM calls WHERE source_rowid = 9"),
		   "10086, type=2", "the number is kept whole");
	tap_is_str(tpu_text(db, "SELECT direction || ' ' || answered || ' ' || duration_s || ' ' "
				"|| started_ms FROM calls WHERE source_rowid = 7"),
		   "incoming 1 65 1700000000000", "direction, answered, duration, time");
	sqlite3_close(db);
	return tap_done();
}
