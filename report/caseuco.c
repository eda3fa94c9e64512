/*
 * caseuco.c - case.jsonld, the CASE/UCO (Cyber-investigation Analysis
 * Standard Expression / Unified Cyber Ontology, version 1.x IRIs) export of
 * a sealed package: the investigation, the tool, each seized device, each
 * evidence and derived file with its SHA-256 and MD5, one provenance record
 * per exhibit, and one investigative action per acquisition, import,
 * derivation and the seal, taken from the custody log.
 *
 * Identifiers are "kb:<kind>-<32 hex>" from SHA-256 of stable keys (item id,
 * package path, custody seq), so the same case gives the same document.
 */
#include "report/seal_int.h"

#include <stdlib.h>
#include <string.h>

struct uco {
	json_t *graph;
	json_t *all;     /* references for the investigation's uco-core:object */
	json_t *devices; /* item -> device @id */
	json_t *provs;   /* item -> provenance record object */
	const char *tool_id;
};

static char *mkid(const char *kind, const char *key, char out[128])
{
	char tmp[8192], hex[65], keyhex[65];
	size_t kn = strlen(kind), n = key ? strlen(key) : 0;

	/* SHA-256 of "kind NUL key", built without allocating (it cannot fail);
	 * a key too long for the buffer stands in as its own digest. */
	CU_ASSERT(kn < 64);
	if (n > sizeof(tmp) - kn - 1) {
		cu_sha256_hex(key, n, keyhex);
		key = keyhex;
		n = 64;
	}
	memcpy(tmp, kind, kn);
	tmp[kn] = '\0';
	if (n > 0)
		memcpy(tmp + kn + 1, key, n);
	cu_sha256_hex(tmp, kn + 1 + n, hex);
	snprintf(out, 128, "kb:%s-%.32s", kind, hex);
	return out;
}

static json_t *ref(const char *id)
{
	return json_pack("{s:s}", "@id", id);
}

static json_t *typed(const char *type, const char *value)
{
	return json_pack("{s:s,s:s}", "@type", type, "@value", value);
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_set_new(o, key, json_string(v));
}

static void add_node(struct uco *u, json_t *node, bool listed)
{
	if (listed)
		json_array_append_new(u->all, ref(json_string_value(json_object_get(node, "@id"))));
	json_array_append_new(u->graph, node);
}

static const char *device_of(struct uco *u, const json_t *mitem, const char *item)
{
	const json_t *have = json_object_get(u->devices, item);
	char id[128], fid[128];

	if (have != NULL)
		return json_string_value(have);
	mkid("device", item, id);
	json_t *d = json_object();
	json_object_set_new(d, "@id", json_string(id));
	json_object_set_new(d, "@type", json_string("uco-observable:ObservableObject"));
	struct cu_item_facts f;
	cu_manifest_item_facts(mitem, &f);
	set_str(d, "uco-core:name", f.name);
	json_object_set_new(d, "uco-core:tag", json_pack("[s]", item));
	json_t *facets = json_array();
	json_t *df = json_object();
	json_object_set_new(df, "@id", json_string(mkid("device-facet", item, fid)));
	json_object_set_new(df, "@type", json_string("uco-observable:DeviceFacet"));
	set_str(df, "uco-observable:manufacturer", f.make);
	set_str(df, "uco-observable:model", f.model);
	set_str(df, "uco-observable:serialNumber", f.serial);
	json_array_append_new(facets, df);
	json_t *mf = json_object();
	json_object_set_new(mf, "@id", json_string(mkid("mobile-facet", item, fid)));
	json_object_set_new(mf, "@type", json_string("uco-observable:MobileDeviceFacet"));
	set_str(mf, "uco-observable:IMEI", cu_manifest_item_imei(mitem, 0));
	set_str(mf, "uco-observable:MSISDN", cu_manifest_item_msisdn(mitem, 0));
	set_str(mf, "uco-observable:IMSI", f.imsi);
	set_str(mf, "uco-observable:ICCID", f.iccid);
	set_str(mf, "uco-observable:mobileDeviceOSVersion", f.os_version);
	json_array_append_new(facets, mf);
	json_object_set_new(d, "uco-core:hasFacet", facets);
	add_node(u, d, true);
	json_object_set_new(u->devices, item, json_string(id));

	char pid[128];
	json_t *p = json_object();
	json_object_set_new(p, "@id", json_string(mkid("provenance", item, pid)));
	json_object_set_new(p, "@type", json_string("case-investigation:ProvenanceRecord"));
	json_object_set_new(p, "case-investigation:exhibitNumber", json_string(item));
	json_object_set_new(p, "uco-core:object", json_pack("[o]", ref(id)));
	json_object_set_new(u->provs, item, p); /* added to the graph at the end */
	return json_string_value(json_object_get(u->devices, item));
}

/* The items the export describes: what import found on the device
 * (top-level items[]) when there is such a list, else the seizure record. */
static enum cu_manifest_list items_list(const json_t *m)
{
	return cu_manifest_items(m, CU_MANIFEST_IMPORTED) != NULL ? CU_MANIFEST_IMPORTED
								  : CU_MANIFEST_SEIZED;
}

static const json_t *manifest_item(const json_t *m, const char *item)
{
	return cu_manifest_item_in(m, items_list(m), item);
}

static void add_action(struct uco *u, const json_t *m, const json_t *body)
{
	const char *ev = json_string_value(json_object_get(body, "event"));
	const json_t *sub = json_object_get(body, "subject");
	const json_t *det = json_object_get(body, "details");
	const char *t = json_string_value(json_object_get(body, "time"));
	json_int_t seq = json_integer_value(json_object_get(body, "seq"));
	char id[128], key[32];
	static const char *const kinds[][2] = {{"IMPORT", "import"},
					       {"ACQUIRE_START", "acquisition start"},
					       {"ACQUIRE_END", "acquisition"},
					       {"DERIVE", "derivation"},
					       {"SEAL", "seal"}};
	const char *label = NULL;

	if (ev == NULL)
		return;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(ev, kinds[i][0]) == 0)
			label = kinds[i][1];
	if (label == NULL)
		return;
	snprintf(key, sizeof(key), "%lld", (long long)seq);
	json_t *a = json_object();
	json_object_set_new(a, "@id", json_string(mkid("action", key, id)));
	json_object_set_new(a, "@type", json_string("case-investigation:InvestigativeAction"));
	json_object_set_new(a, "uco-core:name", json_string(label));
	json_object_set_new(a, "uco-core:description",
			    json_pack("s", "custody log entry (seq in tag)"));
	json_object_set_new(a, "uco-core:tag", json_pack("[s]", key));
	if (t != NULL)
		json_object_set_new(a, "uco-action:startTime", typed("xsd:dateTime", t));
	json_object_set_new(a, "uco-action:instrument", ref(u->tool_id));
	const char *item = json_string_value(json_object_get(sub, "item"));
	if (item == NULL)
		item = json_string_value(json_object_get(sub, "item_id"));
	if (item == NULL)
		item = json_string_value(json_object_get(det, "item"));
	json_t *results = json_array();
	if (item != NULL) {
		const char *dev = device_of(u, manifest_item(m, item), item);
		json_object_set_new(a, "uco-action:object", json_pack("[o]", ref(dev)));
		json_array_append_new(results, ref(json_string_value(json_object_get(
						   json_object_get(u->provs, item), "@id"))));
	} else if (strcmp(ev, "SEAL") == 0) {
		const char *k;
		json_t *p;
		json_object_foreach(u->provs, k, p) json_array_append_new(
		    results, ref(json_string_value(json_object_get(p, "@id"))));
	}
	if (json_array_size(results) > 0)
		json_object_set_new(a, "uco-action:result", results);
	else
		json_decref(results);
	add_node(u, a, true);
}

/* A list written element by element inside a node being written. */
struct listw {
	struct cu_textout *t;
	unsigned indent; /* of the elements */
	bool first;
};

static void list_elem(struct listw *l, json_t *v)
{
	static const char spaces[] = "                ";

	cu_textout_puts(l->t, l->first ? "\n" : ",\n");
	l->first = false;
	cu_textout_put(l->t, spaces, l->indent < sizeof(spaces) ? l->indent : 16);
	cu_textout_json(l->t, v, JSON_INDENT(2) | JSON_PRESERVE_ORDER, l->indent);
	json_decref(v);
}

#define LIST_MARK "\001custos-list\001"

struct caseuco_run {
	struct uco *u;
	const json_t *m;
	struct listw *l;
	const char *item;
};

static enum cu_status note_device(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct caseuco_run *r = ctx;
	(void)err;
	device_of(r->u, manifest_item(r->m, f->item), f->item);
	return CU_OK;
}

static enum cu_status emit_file_ref(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct caseuco_run *r = ctx;
	char id[128];
	(void)err;
	list_elem(r->l, ref(mkid("file", f->path, id)));
	return r->l->t->st;
}

/* One file node, a million times on a phone: written straight out in the
 * layout jansson gives file_node() at depth 2 (same bytes, no objects). */
static void write_file_node(struct cu_textout *t, const struct cu_sealfile *f)
{
	char id[128], num[32];
	const char *name = strrchr(f->path, '/');
	struct kv {
		const char *text; /* literal text, or NULL: a string value follows */
		const char *value;
	};
	char sha_key[256], md5_key[256], hid1[128], hid2[128], ffid[128], cfid[128];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)f->size);
	snprintf(sha_key, sizeof(sha_key), "%s/SHA256", f->path);
	snprintf(md5_key, sizeof(md5_key), "%s/MD5", f->path);
	mkid("file", f->path, id);
	mkid("file-facet", f->path, ffid);
	mkid("content-facet", f->path, cfid);
	mkid("hash", sha_key, hid1);
	mkid("hash", md5_key, hid2);
	const struct kv parts[] = {
	    {"{\n      \"@id\": ", NULL},
	    {NULL, id},
	    {",\n      \"@type\": \"uco-observable:ObservableObject\",\n"
	     "      \"uco-core:hasFacet\": [\n        {\n          \"@id\": ",
	     NULL},
	    {NULL, ffid},
	    {",\n          \"@type\": \"uco-observable:FileFacet\",\n"
	     "          \"uco-observable:fileName\": ",
	     NULL},
	    {NULL, name ? name + 1 : f->path},
	    {",\n          \"uco-observable:filePath\": ", NULL},
	    {NULL, f->device_path ? f->device_path : f->path},
	    {",\n          \"uco-observable:sizeInBytes\": {\n"
	     "            \"@type\": \"xsd:integer\",\n            \"@value\": ",
	     NULL},
	    {NULL, num},
	    {"\n          }\n        },\n        {\n          \"@id\": ", NULL},
	    {NULL, cfid},
	    {",\n          \"@type\": \"uco-observable:ContentDataFacet\",\n"
	     "          \"uco-observable:sizeInBytes\": {\n"
	     "            \"@type\": \"xsd:integer\",\n            \"@value\": ",
	     NULL},
	    {NULL, num},
	    {"\n          },\n          \"uco-observable:hash\": [\n            {\n"
	     "              \"@id\": ",
	     NULL},
	    {NULL, hid1},
	    {",\n              \"@type\": \"uco-types:Hash\",\n"
	     "              \"uco-types:hashMethod\": {\n"
	     "                \"@type\": \"uco-vocabulary:HashNameVocab\",\n"
	     "                \"@value\": \"SHA256\"\n              },\n"
	     "              \"uco-types:hashValue\": {\n"
	     "                \"@type\": \"xsd:hexBinary\",\n                \"@value\": ",
	     NULL},
	    {NULL, f->sha256},
	    {"\n              }\n            },\n            {\n              \"@id\": ", NULL},
	    {NULL, hid2},
	    {",\n              \"@type\": \"uco-types:Hash\",\n"
	     "              \"uco-types:hashMethod\": {\n"
	     "                \"@type\": \"uco-vocabulary:HashNameVocab\",\n"
	     "                \"@value\": \"MD5\"\n              },\n"
	     "              \"uco-types:hashValue\": {\n"
	     "                \"@type\": \"xsd:hexBinary\",\n                \"@value\": ",
	     NULL},
	    {NULL, f->md5},
	    {"\n              }\n            }\n          ]\n        }\n      ],\n"
	     "      \"uco-core:description\": ",
	     NULL},
	    {NULL, f->derived ? "derived file (package path in tag)"
			      : "evidence file (package path in tag)"},
	    {",\n      \"uco-core:tag\": [\n        ", NULL},
	    {NULL, f->path},
	    {"\n      ]\n    }", NULL},
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].text != NULL)
			cu_textout_puts(t, parts[i].text);
		else
			cu_textout_jstr(t, parts[i].value);
	}
}

static enum cu_status emit_file_node(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct caseuco_run *r = ctx;
	(void)err;
	cu_textout_puts(r->l->t, r->l->first ? "\n    " : ",\n    ");
	r->l->first = false;
	write_file_node(r->l->t, f);
	return r->l->t->st;
}

/* Writes node (an element of @graph, at depth 2) whose `key` holds a list
 * too long to build: the node is dumped with a marker there, and the list
 * streamed in its place by fill(). */
static enum cu_status node_with_list(struct cu_textout *t, json_t *node, const char *key,
				     void (*fill)(struct listw *, void *), void *ctx)
{
	char *text, *at;
	const char *mark = "\"\\u0001custos-list\\u0001\"";
	struct listw l;

	json_object_set_new(node, key, json_string(LIST_MARK));
	text = json_dumps(node, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL || (at = strstr(text, mark)) == NULL) {
		free(text);
		t->st = cu_error_set(&t->err, CU_E_INTERNAL, "case.jsonld: list marker lost");
		return t->st;
	}
	*at = '\0';
	cu_textout_puts(t, "    ");
	cu_textout_indented(t, text, 4);
	cu_textout_puts(t, "[");
	l.t = t;
	l.indent = 8;
	l.first = true;
	fill(&l, ctx);
	cu_textout_puts(t, l.first ? "]" : "\n      ]");
	cu_textout_indented(t, at + strlen(mark), 4);
	free(text);
	return t->st;
}

struct fill_ctx {
	const json_t *head, *tail; /* refs before and after the files */
	cu_caseuco_each each;
	void *src;
	struct caseuco_run *run;
	const char *item; /* prov: only this item's files */
};

static void fill_refs(struct listw *l, void *ctx)
{
	struct fill_ctx *fc = ctx;
	const json_t *x;
	size_t i;
	struct cu_error e;

	json_array_foreach(fc->head, i, x) list_elem(l, json_incref((json_t *)x));
	fc->run->l = l;
	cu_error_clear(&e);
	if (fc->each(fc->src, fc->item, emit_file_ref, fc->run, &e) != CU_OK && l->t->st == CU_OK) {
		l->t->st = e.code;
		l->t->err = e;
	}
	json_array_foreach(fc->tail, i, x) list_elem(l, json_incref((json_t *)x));
}

enum cu_status cu_seal_caseuco(const json_t *manifest, const char *package_id,
			       const char *custody_log, size_t custody_len, cu_caseuco_each each,
			       void *src, struct cu_textout *out, struct cu_error *err)
{
	struct uco u;
	json_t *ctx = NULL, *head_graph = NULL, *head_all = NULL, *inv = NULL;
	char tool_id[128], inv_id[128];
	const json_t *cs = json_object_get(manifest, "case");
	const char *case_id = cu_seal_manifest_case_id(manifest);
	enum cu_status st = CU_OK;
	struct caseuco_run run;
	struct listw l;

	memset(&u, 0, sizeof(u));
	u.graph = head_graph = json_array();
	u.all = head_all = json_array();
	u.devices = json_object();
	u.provs = json_object();
	ctx = json_object();
	if (u.graph == NULL || u.all == NULL || u.devices == NULL || u.provs == NULL ||
	    ctx == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "case.jsonld: out of memory");
		goto out;
	}
	json_object_set_new(ctx, "kb", json_string("urn:custos:kb:"));
	json_object_set_new(ctx, "case-investigation",
			    json_string("https://ontology.caseontology.org/case/investigation/"));
	json_object_set_new(ctx, "uco-core",
			    json_string("https://ontology.unifiedcyberontology.org/uco/core/"));
	json_object_set_new(
	    ctx, "uco-observable",
	    json_string("https://ontology.unifiedcyberontology.org/uco/observable/"));
	json_object_set_new(ctx, "uco-action",
			    json_string("https://ontology.unifiedcyberontology.org/uco/action/"));
	json_object_set_new(ctx, "uco-tool",
			    json_string("https://ontology.unifiedcyberontology.org/uco/tool/"));
	json_object_set_new(ctx, "uco-types",
			    json_string("https://ontology.unifiedcyberontology.org/uco/types/"));
	json_object_set_new(
	    ctx, "uco-vocabulary",
	    json_string("https://ontology.unifiedcyberontology.org/uco/vocabulary/"));
	json_object_set_new(ctx, "xsd", json_string("http://www.w3.org/2001/XMLSchema#"));

	mkid("tool", "custos", tool_id);
	u.tool_id = tool_id;
	json_t *tool = json_object();
	json_object_set_new(tool, "@id", json_string(tool_id));
	json_object_set_new(tool, "@type", json_string("uco-tool:Tool"));
	json_object_set_new(tool, "uco-core:name", json_string("custos"));
	json_object_set_new(tool, "uco-tool:version", json_string(cu_version()));
	json_object_set_new(tool, "uco-tool:toolType",
			    json_string("mobile acquisition, parsing and evidence sealing"));
	add_node(&u, tool, true);

	/* Devices: from the manifest (in its order), then any other item a
	 * file belongs to (in file order). */
	{
		const json_t *x;
		size_t i;
		json_array_foreach(cu_manifest_items(manifest, items_list(manifest)), i, x)
		{
			struct cu_item_facts f;
			cu_manifest_item_facts(x, &f);
			if (f.item_id != NULL)
				device_of(&u, x, f.item_id);
		}
	}
	memset(&run, 0, sizeof(run));
	run.u = &u;
	run.m = manifest;
	if ((st = each(src, NULL, note_device, &run, err)) != CU_OK)
		goto out;

	/* Actions from the custody log, then the provenance records: after
	 * the files in @graph. */
	u.graph = json_array();
	u.all = json_array();
	if (u.graph == NULL || u.all == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "case.jsonld: out of memory");
		goto out;
	}
	{
		const char *p = custody_log, *end = custody_log + custody_len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			json_t *line = NULL;
			if (len > 0 &&
			    cu_json_load_str(p, len, "custody line", &line, NULL) == CU_OK) {
				add_action(&u, manifest, json_object_get(line, "body"));
				json_decref(line);
			}
			p += len + 1;
		}
	}
	{
		const char *k;
		json_t *p;
		json_object_foreach(u.provs, k, p)
		    json_array_append_new(u.all, ref(json_string_value(json_object_get(p, "@id"))));
	}

	inv = json_object();
	json_object_set_new(inv, "@id", json_string(mkid("investigation", case_id, inv_id)));
	json_object_set_new(inv, "@type", json_string("case-investigation:Investigation"));
	json_object_set_new(inv, "uco-core:name", json_string(case_id));
	set_str(inv, "uco-core:description", json_string_value(json_object_get(cs, "case_title")));
	set_str(inv, "case-investigation:focus", json_string_value(json_object_get(cs, "purpose")));
	json_object_set_new(inv, "uco-core:tag", json_pack("[s]", package_id));

	/* The document, written as it goes. */
	cu_textout_puts(out, "{\n  \"@context\": ");
	cu_textout_json(out, ctx, JSON_INDENT(2) | JSON_PRESERVE_ORDER, 2);
	cu_textout_puts(out, ",\n  \"@graph\": [\n");
	{
		struct fill_ctx fc = {head_all, u.all, each, src, &run, NULL};
		if ((st = node_with_list(out, inv, "uco-core:object", fill_refs, &fc)) != CU_OK)
			goto written;
	}
	l.t = out;
	l.indent = 4;
	l.first = false;
	{
		const json_t *x;
		size_t i;
		json_array_foreach(head_graph, i, x) list_elem(&l, json_incref((json_t *)x));
	}
	run.l = &l;
	if ((st = each(src, NULL, emit_file_node, &run, err)) != CU_OK)
		goto out;
	{
		const json_t *x;
		size_t i;
		json_array_foreach(u.graph, i, x) list_elem(&l, json_incref((json_t *)x));
	}
	{
		const char *k;
		json_t *p;
		json_object_foreach(u.provs, k, p)
		{
			/* Its objects: the device, then the item's files. */
			json_t *objs = json_incref(json_object_get(p, "uco-core:object"));
			struct fill_ctx fc = {objs, NULL, each, src, &run, k};
			cu_textout_puts(out, ",\n");
			st = node_with_list(out, p, "uco-core:object", fill_refs, &fc);
			json_object_set_new(p, "uco-core:object", objs);
			if (st != CU_OK)
				goto written;
		}
	}
	cu_textout_puts(out, "\n  ]\n}\n");
written:
	if (st == CU_OK && (st = out->st) != CU_OK)
		*err = out->err;
	else if (st != CU_OK && out->st != CU_OK)
		*err = out->err;
out:
	json_decref(inv);
	json_decref(ctx);
	json_decref(head_graph);
	json_decref(head_all);
	if (u.graph != head_graph)
		json_decref(u.graph);
	if (u.all != head_all)
		json_decref(u.all);
	json_decref(u.devices);
	json_decref(u.provs);
	return st;
}

enum cu_status cu_caseuco_case(struct cu_case *c, struct sqlite3 *db, struct cu_textout *out,
			       uint64_t *objects, struct cu_error *err)
{
	(void)c;
	(void)db;
	(void)out;
	(void)objects;
	return cu_error_set(err, CU_E_NOT_IMPLEMENTED, "export case-uco: not built yet");
}
