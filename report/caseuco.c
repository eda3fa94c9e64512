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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

struct uco {
	json_t *graph;
	json_t *all;     /* references for the investigation's uco-core:object */
	json_t *devices; /* item -> device @id */
	json_t *provs;   /* item -> provenance record object */
	json_t *people;  /* name -> person @id */
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

/* One uco-identity:Person per name (the manifest's personnel and every
 * custody actor): the first role seen is its tag. Never an ID number. */
static const char *person_of(struct uco *u, const char *name, const char *role, const char *detail)
{
	const json_t *have;
	char id[128];

	if (name == NULL || name[0] == '\0')
		return NULL;
	if ((have = json_object_get(u->people, name)) != NULL)
		return json_string_value(have);
	mkid("person", name, id);
	json_t *p = json_object();
	json_object_set_new(p, "@id", json_string(id));
	json_object_set_new(p, "@type", json_string("uco-identity:Person"));
	json_object_set_new(p, "uco-core:name", json_string(name));
	set_str(p, "uco-core:description", detail);
	if (role != NULL && role[0] != '\0')
		json_object_set_new(p, "uco-core:tag", json_pack("[s]", role));
	add_node(u, p, true);
	json_object_set_new(u->people, name, json_string(id));
	return json_string_value(json_object_get(u->people, name));
}

/* personnel of the manifest: investigators (with unit and badge),
 * examiners, the holder of the phone, witnesses. */
static void people_of_manifest(struct uco *u, const json_t *m)
{
	const json_t *pe = json_object_get(m, "personnel"), *x;
	size_t i;
	char detail[512];

	json_array_foreach(json_object_get(pe, "investigators"), i, x)
	{
		const char *unit = json_string_value(json_object_get(x, "unit"));
		const char *badge = json_string_value(json_object_get(x, "badge"));
		const char *role = json_string_value(json_object_get(x, "role"));
		snprintf(detail, sizeof(detail), "investigator%s%s%s%s%s%s", role ? ": " : "",
			 role ? role : "", unit ? "; unit " : "", unit ? unit : "",
			 badge ? "; badge " : "", badge ? badge : "");
		person_of(u, json_string_value(json_object_get(x, "name")), "investigator", detail);
	}
	json_array_foreach(json_object_get(pe, "examiners"), i, x)
	    person_of(u, json_string_value(json_object_get(x, "name")), "examiner", "examiner");
	person_of(u, json_string_value(json_object_get(json_object_get(pe, "holder"), "name")),
		  "holder", "holder of the seized items");
	json_array_foreach(json_object_get(pe, "witnesses"), i, x)
	    person_of(u, json_string_value(json_object_get(x, "name")), "witness", "witness");
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
	/* DeviceFacet's manufacturer is an identity, not a string (UCO 1.x
	 * SHACL): an organisation node named by the make. */
	if (f.make != NULL && f.make[0] != '\0') {
		char oid[128], okey[300];
		snprintf(okey, sizeof(okey), "\001organization\001%s", f.make);
		if (json_object_get(u->people, okey) == NULL) {
			json_t *o = json_object();
			json_object_set_new(o, "@id",
					    json_string(mkid("organization", f.make, oid)));
			json_object_set_new(o, "@type", json_string("uco-identity:Organization"));
			json_object_set_new(o, "uco-core:name", json_string(f.make));
			add_node(u, o, true);
			json_object_set_new(u->people, okey, json_string(oid));
		}
		json_object_set_new(df, "uco-observable:manufacturer",
				    ref(json_string_value(json_object_get(u->people, okey))));
	}
	set_str(df, "uco-observable:model", f.model);
	set_str(df, "uco-observable:serialNumber", f.serial);
	json_array_append_new(facets, df);
	json_t *mf = json_object();
	json_object_set_new(mf, "@id", json_string(mkid("mobile-facet", item, fid)));
	json_object_set_new(mf, "@type", json_string("uco-observable:MobileDeviceFacet"));
	set_str(mf, "uco-observable:IMEI", cu_manifest_item_imei(mitem, 0));
	set_str(mf, "uco-observable:MSISDN", cu_manifest_item_msisdn(mitem, 0));
	json_array_append_new(facets, mf);
	if ((f.os != NULL && f.os[0]) || (f.os_version != NULL && f.os_version[0])) {
		char osd[160];
		snprintf(osd, sizeof(osd), "operating system %s %s", f.os ? f.os : "",
			 f.os_version ? f.os_version : "");
		json_object_set_new(d, "uco-core:description", json_string(osd));
	}
	/* ICCID and IMSI belong to the SIM card, an object of its own. */
	if ((f.iccid != NULL && f.iccid[0]) || (f.imsi != NULL && f.imsi[0])) {
		char sid[128], sfid[128], rid[128];
		json_t *sim = json_object(), *sf = json_object(), *rel = json_object();
		json_object_set_new(sim, "@id", json_string(mkid("sim", item, sid)));
		json_object_set_new(sim, "@type", json_string("uco-observable:SIMCard"));
		json_object_set_new(sf, "@id", json_string(mkid("sim-facet", item, sfid)));
		json_object_set_new(sf, "@type", json_string("uco-observable:SIMCardFacet"));
		set_str(sf, "uco-observable:ICCID", f.iccid);
		set_str(sf, "uco-observable:IMSI", f.imsi);
		json_object_set_new(sim, "uco-core:hasFacet", json_pack("[o]", sf));
		add_node(u, sim, true);
		json_object_set_new(rel, "@id", json_string(mkid("sim-in-device", item, rid)));
		json_object_set_new(rel, "@type",
				    json_string("uco-observable:ObservableRelationship"));
		json_object_set_new(rel, "uco-core:source", ref(sid));
		json_object_set_new(rel, "uco-core:target", ref(id));
		json_object_set_new(rel, "uco-core:kindOfRelationship",
				    json_string("Contained_Within"));
		json_object_set_new(rel, "uco-core:isDirectional", json_true());
		add_node(u, rel, true);
	}
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
	const json_t *actor = json_object_get(body, "actor");
	const char *t = json_string_value(json_object_get(body, "time"));
	json_int_t seq = json_integer_value(json_object_get(body, "seq"));
	char id[128], key[32], label[64], desc[256];
	static const char *const kinds[][2] = {{"IMPORT", "import"},
					       {"ACQUIRE_START", "acquisition start"},
					       {"ACQUIRE_END", "acquisition"},
					       {"DERIVE", "derivation"},
					       {"SEAL", "seal"}};
	const char *known = NULL;

	if (ev == NULL || ev[0] == '\0')
		return;
	/* Every custody entry is an action: the kinds above by their old
	 * names, the others (PARSE, REPORT, EXPORT, ANALYZE, PRINT, ...) as
	 * the event in lower case. */
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(ev, kinds[i][0]) == 0)
			known = kinds[i][1];
	if (known != NULL) {
		snprintf(label, sizeof(label), "%s", known);
	} else {
		size_t i;
		for (i = 0; ev[i] != '\0' && i + 1 < sizeof(label); i++)
			label[i] = ev[i] == '_'                     ? ' '
				   : (ev[i] >= 'A' && ev[i] <= 'Z') ? (char)(ev[i] - 'A' + 'a')
								    : ev[i];
		label[i] = '\0';
	}
	snprintf(key, sizeof(key), "%lld", (long long)seq);
	snprintf(desc, sizeof(desc), "custody log entry %.64s (seq in tag)", ev);
	json_t *a = json_object();
	json_object_set_new(a, "@id", json_string(mkid("action", key, id)));
	json_object_set_new(a, "@type", json_string("case-investigation:InvestigativeAction"));
	json_object_set_new(a, "uco-core:name", json_string(label));
	json_object_set_new(a, "uco-core:description", json_string(desc));
	json_object_set_new(a, "uco-core:tag", json_pack("[s]", key));
	if (t != NULL)
		json_object_set_new(a, "uco-action:startTime", typed("xsd:dateTime", t));
	{
		const char *who =
		    person_of(u, json_string_value(json_object_get(actor, "name")),
			      json_string_value(json_object_get(actor, "role")), NULL);
		if (who != NULL)
			json_object_set_new(a, "uco-action:performer", ref(who));
	}
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

/* A file's {"@id": ...} in a list, a million times on a phone: one
 * compact line per file. */
static enum cu_status emit_file_ref(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	static const char spaces[] = "                ";
	struct caseuco_run *r = ctx;
	struct listw *l = r->l;
	char id[128];
	(void)err;
	cu_textout_puts(l->t, l->first ? "\n" : ",\n");
	l->first = false;
	cu_textout_put(l->t, spaces, l->indent < sizeof(spaces) ? l->indent : sizeof(spaces) - 1);
	cu_textout_puts(l->t, "{\"@id\":");
	cu_textout_jstr(l->t, mkid("file", f->path, id));
	cu_textout_puts(l->t, "}");
	return l->t->st;
}

/* One file node, a million times on a phone: written straight out as one
 * compact line (jansson's JSON_COMPACT layout and escaping, no objects);
 * the rest of the document keeps the two-space indent. */
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
	    {"{\"@id\":", NULL},
	    {NULL, id},
	    {",\"@type\":\"uco-observable:ObservableObject\",\"uco-core:hasFacet\":[{\"@id\":",
	     NULL},
	    {NULL, ffid},
	    {",\"@type\":\"uco-observable:FileFacet\",\"uco-observable:fileName\":", NULL},
	    {NULL, name ? name + 1 : f->path},
	    {",\"uco-observable:filePath\":", NULL},
	    {NULL, f->device_path ? f->device_path : f->path},
	    {",\"uco-observable:sizeInBytes\":{\"@type\":\"xsd:integer\",\"@value\":", NULL},
	    {NULL, num},
	    {"}},{\"@id\":", NULL},
	    {NULL, cfid},
	    {",\"@type\":\"uco-observable:ContentDataFacet\",\"uco-observable:sizeInBytes\":"
	     "{\"@type\":\"xsd:integer\",\"@value\":",
	     NULL},
	    {NULL, num},
	    {"},\"uco-observable:hash\":[{\"@id\":", NULL},
	    {NULL, hid1},
	    {",\"@type\":\"uco-types:Hash\",\"uco-types:hashMethod\":{\"@type\":"
	     "\"uco-vocabulary:HashNameVocab\",\"@value\":\"SHA256\"},\"uco-types:hashValue\":"
	     "{\"@type\":\"xsd:hexBinary\",\"@value\":",
	     NULL},
	    {NULL, f->sha256},
	    {"}},{\"@id\":", NULL},
	    {NULL, hid2},
	    {",\"@type\":\"uco-types:Hash\",\"uco-types:hashMethod\":{\"@type\":"
	     "\"uco-vocabulary:HashNameVocab\",\"@value\":\"MD5\"},\"uco-types:hashValue\":"
	     "{\"@type\":\"xsd:hexBinary\",\"@value\":",
	     NULL},
	    {NULL, f->md5},
	    {"}}]}],\"uco-core:description\":", NULL},
	    {NULL, f->derived ? "derived file (package path in tag)"
			      : "evidence file (package path in tag)"},
	    {",\"uco-core:tag\":[", NULL},
	    {NULL, f->path},
	    {"]}", NULL},
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

/* Nodes written after the ones above (the case.db artifacts): fn writes
 * them with list_elem(); a failure is left in the writer (l->t->st). */
typedef void (*caseuco_extra_fn)(struct listw *l, struct uco *u, void *ctx);

static enum cu_status caseuco_write(const json_t *manifest, const char *package_id,
				    const char *custody_log, size_t custody_len,
				    cu_caseuco_each each, void *src, caseuco_extra_fn extra,
				    void *extra_ctx, struct cu_textout *out, struct cu_error *err)
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
	u.people = json_object();
	ctx = json_object();
	if (u.graph == NULL || u.all == NULL || u.devices == NULL || u.provs == NULL ||
	    u.people == NULL || ctx == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "case.jsonld: out of memory");
		goto out;
	}
	json_object_set_new(ctx, "kb", json_string("urn:custos:kb:"));
	json_object_set_new(ctx, "case-investigation",
			    json_string("https://ontology.caseontology.org/case/investigation/"));
	json_object_set_new(ctx, "uco-core",
			    json_string("https://ontology.unifiedcyberontology.org/uco/core/"));
	json_object_set_new(ctx, "uco-identity",
			    json_string("https://ontology.unifiedcyberontology.org/uco/identity/"));
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
	people_of_manifest(&u, manifest);

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
	if (extra != NULL) {
		extra(&l, &u, extra_ctx);
		if ((st = out->st) != CU_OK)
			goto written;
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
	json_decref(u.people);
	return st;
}

enum cu_status cu_seal_caseuco(const json_t *manifest, const char *package_id,
			       const char *custody_log, size_t custody_len, cu_caseuco_each each,
			       void *src, struct cu_textout *out, struct cu_error *err)
{
	return caseuco_write(manifest, package_id, custody_log, custody_len, each, src, NULL, NULL,
			     out, err);
}

/* ------------------------------------------------------------------ */
/* A case directory: inventory files + case.db artifacts               */
/* ------------------------------------------------------------------ */

struct art {
	sqlite3 *db;
	struct cu_sealfiles *files; /* the case's files (cu_caseuco_case) */
	cu_caseuco_each inner;      /* or the caller's iterator over them */
	void *inner_src;
	json_t *pending; /* evidence_path of a source -> {sha256, size, device_path}, until
			  * its file node is written */
	json_t *seen;    /* @id of applications and accounts already written */
	uint64_t objects;
	struct listw *l;
	enum cu_status st;
	struct cu_error err;
};

struct art_each {
	struct art *a;
	cu_sealfiles_fn fn;
	void *ctx;
};

static enum cu_status mark_file(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct art_each *e = ctx;
	json_object_del(e->a->pending, f->path);
	return e->fn(f, e->ctx, err);
}

static enum cu_status each_inventory_file(void *src, const char *item, cu_sealfiles_fn fn,
					  void *ctx, struct cu_error *err)
{
	struct art *a = src;
	struct art_each e = {a, fn, ctx};
	if (a->inner != NULL)
		return a->inner(a->inner_src, item, mark_file, &e, err);
	return cu_sealfiles_each(a->files, 2, item, mark_file, &e, err);
}

static json_t *facet(const char *type, const char *kind, const char *key)
{
	char id[128];
	json_t *f = json_object();
	json_object_set_new(f, "@id", json_string(mkid(kind, key, id)));
	json_object_set_new(f, "@type", json_string(type));
	return f;
}

static json_t *node(const char *type, const char *kind, const char *key)
{
	return facet(type, kind, key);
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t != NULL && t[0] != '\0' ? (const char *)t : NULL;
}

/* Text of case.db (hostile: any bytes) as a JSON string: invalid UTF-8 as
 * U+FFFD, so jansson never refuses it and nothing is dropped. */
static json_t *jtext(const char *p, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	json_t *r;
	size_t i = 0;

	if (p == NULL)
		return json_null();
	if (cu_utf8_valid(p, n))
		return json_stringn(p, n);
	while (i < n) {
		size_t k = cu_utf8_valid_prefix(p + i, n - i);
		if (cu_buf_append(&b, p + i, k, NULL) != CU_OK)
			break;
		i += k;
		if (i < n) {
			if (cu_buf_puts(&b, "\xef\xbf\xbd", NULL) != CU_OK)
				break;
			i++;
		}
	}
	r = json_stringn(b.data ? b.data : "", b.len);
	cu_buf_release(&b);
	return r;
}

static json_t *jstr(const char *p)
{
	return jtext(p, p ? strlen(p) : 0);
}

static json_t *jcol(sqlite3_stmt *s, int i)
{
	const char *t = col(s, i);
	return t ? jtext(t, (size_t)sqlite3_column_bytes(s, i)) : json_null();
}

static void emit(struct art *a, json_t *n)
{
	a->objects++;
	list_elem(a->l, n);
}

/* The application node of (item, app), written once. */
static const char *app_node(struct art *a, const char *item, const char *app, char id[128])
{
	char key[512];
	snprintf(key, sizeof(key), "%s/%s", item ? item : "", app ? app : "");
	mkid("application", key, id);
	if (json_object_get(a->seen, id) == NULL) {
		json_t *n = node("uco-observable:Application", "application", key);
		json_object_set_new(n, "uco-core:name", jstr(app ? app : "unknown"));
		json_object_set_new(n, "uco-core:tag", json_pack("[o]", jstr(item ? item : "")));
		json_object_set_new(a->seen, id, json_true());
		emit(a, n);
	}
	return id;
}

/* The account of an identifier in an app of an item (sender, contact,
 * counterparty), written once; display name from the first row naming it. */
static const char *account_node(struct art *a, const char *item, const char *app, const char *ident,
				const char *display, char id[128])
{
	char key[1024], appid[128];
	snprintf(key, sizeof(key), "%s/%s/%s", item ? item : "", app ? app : "", ident);
	mkid("account", key, id);
	if (json_object_get(a->seen, id) != NULL)
		return id;
	app_node(a, item, app, appid);
	json_t *n = node("uco-observable:ApplicationAccount", "account", key);
	json_t *fs = json_array();
	json_t *f = facet("uco-observable:AccountFacet", "account-facet", key);
	json_object_set_new(f, "uco-observable:accountIdentifier", jstr(ident));
	json_array_append_new(fs, f);
	f = facet("uco-observable:ApplicationAccountFacet", "application-account-facet", key);
	json_object_set_new(f, "uco-observable:application", ref(appid));
	json_array_append_new(fs, f);
	if (display != NULL) {
		f = facet("uco-observable:DigitalAccountFacet", "digital-account-facet", key);
		json_object_set_new(f, "uco-observable:displayName", jstr(display));
		json_array_append_new(fs, f);
	}
	json_object_set_new(n, "uco-core:hasFacet", fs);
	json_object_set_new(a->seen, id, json_true());
	emit(a, n);
	return id;
}

static const char *phone_node(struct art *a, const char *number, char id[128])
{
	mkid("phone-account", number, id);
	if (json_object_get(a->seen, id) == NULL) {
		json_t *n = node("uco-observable:PhoneAccount", "phone-account", number);
		json_t *f =
		    facet("uco-observable:PhoneAccountFacet", "phone-account-facet", number);
		json_object_set_new(f, "uco-observable:phoneNumber", jstr(number));
		json_object_set_new(n, "uco-core:hasFacet", json_pack("[o]", f));
		json_object_set_new(a->seen, id, json_true());
		emit(a, n);
	}
	return id;
}

static json_t *tags_of(const char *a1, const char *a2, bool recovered)
{
	json_t *t = json_array();
	if (a1 != NULL)
		json_array_append_new(t, jstr(a1));
	if (a2 != NULL)
		json_array_append_new(t, jstr(a2));
	if (recovered)
		json_array_append_new(t, json_string("recovered"));
	return t;
}

static void set_tags(json_t *n, json_t *tags)
{
	if (json_array_size(tags) > 0)
		json_object_set_new(n, "uco-core:tag", tags);
	else
		json_decref(tags);
}

/* The provenance of one artifact: a Contained_Within relationship from it
 * to the file object of its source (which carries the file's hashes), with
 * the table and rowid, or the page and offset of a recovered record.
 * Columns from `first`: evidence_path, source_table, source_rowid,
 * source_page, source_offset, recovered. */
static void provenance(struct art *a, const char *key, const char *art_id, sqlite3_stmt *s,
		       int first)
{
	const char *path = col(s, first), *table = col(s, first + 1);
	char fid[128], desc[512], num[32];

	if (path == NULL)
		return;
	mkid("file", path, fid);
	json_t *r = node("uco-observable:ObservableRelationship", "provenance-link", key);
	json_object_set_new(r, "uco-core:source", ref(art_id));
	json_object_set_new(r, "uco-core:target", ref(fid));
	json_object_set_new(r, "uco-core:kindOfRelationship", json_string("Contained_Within"));
	json_object_set_new(r, "uco-core:isDirectional", json_true());
	snprintf(desc, sizeof(desc), "case.db %s; source %s%s%s%s", key, path,
		 table ? ", table " : "", table ? table : "",
		 sqlite3_column_int64(s, first + 5) != 0 ? ", recovered" : "");
	json_object_set_new(r, "uco-core:description", jstr(desc));
	json_t *fs = json_array();
	if (table != NULL) {
		json_t *f = facet("uco-observable:SQLiteBlobFacet", "sqlite-facet", key);
		json_object_set_new(f, "uco-observable:tableName", jstr(table));
		if (sqlite3_column_type(s, first + 2) == SQLITE_INTEGER &&
		    sqlite3_column_int64(s, first + 2) > 0) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)sqlite3_column_int64(s, first + 2));
			json_object_set_new(f, "uco-observable:rowIndex",
					    typed("xsd:positiveInteger", num));
		}
		json_array_append_new(fs, f);
	}
	if (sqlite3_column_type(s, first + 4) == SQLITE_INTEGER) {
		json_t *f = facet("uco-observable:DataRangeFacet", "range-facet", key);
		snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(s, first + 4));
		json_object_set_new(f, "uco-observable:rangeOffset", typed("xsd:integer", num));
		if (sqlite3_column_type(s, first + 3) == SQLITE_INTEGER) {
			snprintf(desc, sizeof(desc), "byte offset in SQLite page %lld",
				 (long long)sqlite3_column_int64(s, first + 3));
			json_object_set_new(f, "uco-observable:rangeOffsetType", jstr(desc));
		}
		json_array_append_new(fs, f);
	}
	if (json_array_size(fs) > 0)
		json_object_set_new(r, "uco-core:hasFacet", fs);
	else
		json_decref(fs);
	emit(a, r);
}

#define PROV_COLS                                                                                  \
	"p.evidence_path, t.source_table, t.source_rowid, t.source_page, t.source_offset,"         \
	" t.recovered"

static bool art_query(struct art *a, const char *sql, sqlite3_stmt **s)
{
	if (a->st != CU_OK || a->l->t->st != CU_OK)
		return false;
	if (sqlite3_prepare_v2(a->db, sql, -1, s, NULL) != SQLITE_OK) {
		a->st = cu_error_set(&a->err, CU_E_IO, "case.jsonld: case.db query failed: %s",
				     sqlite3_errmsg(a->db));
		return false;
	}
	return true;
}

static void art_done(struct art *a, sqlite3_stmt *s, int rc)
{
	if (rc != SQLITE_DONE && a->st == CU_OK && a->l->t->st == CU_OK)
		a->st = cu_error_set(&a->err, CU_E_IO, "case.jsonld: reading case.db: %s",
				     sqlite3_errmsg(a->db));
	sqlite3_finalize(s);
}

static bool art_ok(struct art *a)
{
	return a->st == CU_OK && a->l->t->st == CU_OK;
}

static void art_accounts(struct art *a)
{
	sqlite3_stmt *s = NULL;
	int rc;
	char id[128], key[64];
	if (!art_query(a,
		       "SELECT t.account_id, t.item_id, t.app, t.identifier, t.display_name,"
		       " p.evidence_path, NULL, NULL, NULL, NULL, 0 FROM accounts t"
		       " LEFT JOIN sources p ON p.source_id = t.source_id ORDER BY t.account_id",
		       &s))
		return;
	while (art_ok(a) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ident = col(s, 3);
		if (ident == NULL)
			continue;
		account_node(a, col(s, 1), col(s, 2), ident, col(s, 4), id);
		snprintf(key, sizeof(key), "accounts/%lld", (long long)sqlite3_column_int64(s, 0));
		provenance(a, key, id, s, 5);
	}
	art_done(a, s, art_ok(a) ? rc : SQLITE_DONE);
}

static void art_contacts(struct art *a)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE;
	char id[128], appid[128], pid[128], key[64];
	if (!art_query(
		a,
		"SELECT t.contact_id, t.item_id, t.app, t.identifier, t.display_name, t.alias,"
		" t.remark, t.phone, t.status, " PROV_COLS " FROM contacts t"
		" LEFT JOIN sources p ON p.source_id = t.source_id ORDER BY t.contact_id",
		&s))
		return;
	while (art_ok(a) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(key, sizeof(key), "contacts/%lld", (long long)sqlite3_column_int64(s, 0));
		app_node(a, col(s, 1), col(s, 2), appid);
		const char *phone = col(s, 7);
		if (phone != NULL)
			phone_node(a, phone, pid);
		json_t *n = node("uco-observable:Contact", "contact", key);
		mkid("contact", key, id);
		json_t *f = facet("uco-observable:ContactFacet", "contact-facet", key);
		if (col(s, 3) != NULL)
			json_object_set_new(f, "uco-observable:contactID", jcol(s, 3));
		if (col(s, 4) != NULL)
			json_object_set_new(f, "uco-observable:displayName", jcol(s, 4));
		if (col(s, 5) != NULL)
			json_object_set_new(f, "uco-observable:nickname",
					    json_pack("[o]", jcol(s, 5)));
		if (col(s, 6) != NULL)
			json_object_set_new(f, "uco-observable:contactNote",
					    json_pack("[o]", jcol(s, 6)));
		json_object_set_new(f, "uco-observable:sourceApplication", ref(appid));
		if (phone != NULL) {
			json_t *cp = facet("uco-observable:ContactPhone", "contact-phone", key);
			json_object_set_new(cp, "uco-observable:contactPhoneNumber", ref(pid));
			json_object_set_new(f, "uco-observable:contactPhone", json_pack("[o]", cp));
		}
		json_object_set_new(n, "uco-core:hasFacet", json_pack("[o]", f));
		set_tags(n, tags_of(col(s, 8), NULL, sqlite3_column_int64(s, 14) != 0));
		emit(a, n);
		provenance(a, key, id, s, 9);
	}
	art_done(a, s, rc);
}

static void art_messages(struct art *a)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE;
	char id[128], appid[128], from[128], key[64];
	if (!art_query(
		a,
		"SELECT t.message_id, t.item_id, t.app, t.sender, t.sender_name, t.direction,"
		" t.sent_utc, t.kind, t.body, t.status, v.identifier, " PROV_COLS " FROM messages t"
		" LEFT JOIN conversations v ON v.conversation_id = t.conversation_id"
		" LEFT JOIN sources p ON p.source_id = t.source_id ORDER BY t.message_id",
		&s))
		return;
	while (art_ok(a) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(key, sizeof(key), "messages/%lld", (long long)sqlite3_column_int64(s, 0));
		app_node(a, col(s, 1), col(s, 2), appid);
		const char *sender = col(s, 3);
		if (sender != NULL)
			account_node(a, col(s, 1), col(s, 2), sender, col(s, 4), from);
		json_t *n = node("uco-observable:Message", "message", key);
		mkid("message", key, id);
		json_t *f = facet("uco-observable:MessageFacet", "message-facet", key);
		json_object_set_new(f, "uco-observable:application", ref(appid));
		if (sender != NULL)
			json_object_set_new(f, "uco-observable:from", ref(from));
		if (col(s, 8) != NULL)
			json_object_set_new(f, "uco-observable:messageText", jcol(s, 8));
		if (col(s, 6) != NULL)
			json_object_set_new(
			    f, "uco-observable:sentTime",
			    json_pack("{s:s,s:o}", "@type", "xsd:dateTime", "@value", jcol(s, 6)));
		if (col(s, 7) != NULL)
			json_object_set_new(f, "uco-observable:messageType", jcol(s, 7));
		if (col(s, 10) != NULL)
			json_object_set_new(f, "uco-observable:sessionID", jcol(s, 10));
		json_object_set_new(n, "uco-core:hasFacet", json_pack("[o]", f));
		set_tags(n, tags_of(col(s, 5), col(s, 9), sqlite3_column_int64(s, 16) != 0));
		emit(a, n);
		provenance(a, key, id, s, 11);
	}
	art_done(a, s, rc);
}

static void art_calls(struct art *a)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE;
	char id[128], appid[128], pid[128], key[64];
	if (!art_query(a,
		       "SELECT t.call_id, t.item_id, t.app, t.counterpart, t.direction,"
		       " t.started_utc, t.duration_s, t.answered, " PROV_COLS " FROM calls t"
		       " LEFT JOIN sources p ON p.source_id = t.source_id ORDER BY t.call_id",
		       &s))
		return;
	while (art_ok(a) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(key, sizeof(key), "calls/%lld", (long long)sqlite3_column_int64(s, 0));
		app_node(a, col(s, 1), col(s, 2), appid);
		const char *who = col(s, 3), *dir = col(s, 4);
		if (who != NULL)
			phone_node(a, who, pid);
		json_t *n = node("uco-observable:Call", "call", key);
		mkid("call", key, id);
		json_t *f = facet("uco-observable:CallFacet", "call-facet", key);
		json_object_set_new(f, "uco-observable:application", ref(appid));
		if (dir != NULL)
			json_object_set_new(f, "uco-observable:callType", json_string(dir));
		if (col(s, 5) != NULL)
			json_object_set_new(
			    f, "uco-observable:startTime",
			    json_pack("{s:s,s:o}", "@type", "xsd:dateTime", "@value", jcol(s, 5)));
		if (sqlite3_column_type(s, 6) == SQLITE_INTEGER)
			json_object_set_new(
			    f, "uco-observable:duration",
			    json_pack("{s:s,s:o}", "@type", "xsd:integer", "@value", jcol(s, 6)));
		if (who != NULL) {
			/* The counterpart is the caller of an incoming call and the
			 * callee of any other. */
			if (dir != NULL && strcmp(dir, "incoming") == 0)
				json_object_set_new(f, "uco-observable:from", ref(pid));
			else
				json_object_set_new(f, "uco-observable:to",
						    json_pack("[o]", ref(pid)));
		}
		json_object_set_new(n, "uco-core:hasFacet", json_pack("[o]", f));
		const char *ans = sqlite3_column_type(s, 7) != SQLITE_INTEGER ? NULL
				  : sqlite3_column_int64(s, 7)                ? "answered"
									      : "not answered";
		set_tags(n, tags_of(ans, NULL, sqlite3_column_int64(s, 13) != 0));
		emit(a, n);
		provenance(a, key, id, s, 8);
	}
	art_done(a, s, rc);
}

/* UCO 1.x has no class for a money transfer: a payment is an observable
 * object whose name, description and tags say what it is. */
static void art_payments(struct art *a)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE;
	char id[128], acct[128], key[64], yuan[CU_YUAN_STR];
	if (!art_query(a,
		       "SELECT t.payment_id, t.item_id, t.app, t.kind, t.direction, t.amount_minor,"
		       " t.currency, t.counterparty, t.counterparty_name, t.status, t.memo,"
		       " t.transaction_id, t.occurred_utc, " PROV_COLS " FROM payments t"
		       " LEFT JOIN sources p ON p.source_id = t.source_id ORDER BY t.payment_id",
		       &s))
		return;
	while (art_ok(a) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cu_buf d = CU_BUF_INIT;
		snprintf(key, sizeof(key), "payments/%lld", (long long)sqlite3_column_int64(s, 0));
		const char *cp = col(s, 7);
		if (cp != NULL)
			account_node(a, col(s, 1), col(s, 2), cp, col(s, 8), acct);
		if (sqlite3_column_type(s, 5) == SQLITE_INTEGER)
			cu_report_yuan(sqlite3_column_int64(s, 5), yuan);
		else
			snprintf(yuan, sizeof(yuan), "?");
		if (cu_buf_printf(&d, NULL, "%s %s %s %s, counterparty %s%s%s%s, time %s%s%s%s%s",
				  col(s, 3) ? col(s, 3) : "payment", col(s, 4) ? col(s, 4) : "",
				  yuan, col(s, 6) ? col(s, 6) : "", cp ? cp : "?",
				  col(s, 8) ? " (" : "", col(s, 8) ? col(s, 8) : "",
				  col(s, 8) ? ")" : "", col(s, 12) ? col(s, 12) : "?",
				  col(s, 11) ? ", transaction " : "", col(s, 11) ? col(s, 11) : "",
				  col(s, 10) ? ", memo: " : "",
				  col(s, 10) ? col(s, 10) : "") != CU_OK)
			cu_buf_reset(&d);
		json_t *n = node("uco-observable:ObservableObject", "payment", key);
		mkid("payment", key, id);
		json_object_set_new(n, "uco-core:name", json_string("payment"));
		if (d.len > 0)
			json_object_set_new(n, "uco-core:description", jstr(d.data));
		cu_buf_release(&d);
		json_t *tags = tags_of(col(s, 3), col(s, 4), sqlite3_column_int64(s, 18) != 0);
		if (col(s, 9) != NULL)
			json_array_append_new(tags, jcol(s, 9));
		if (col(s, 11) != NULL)
			json_array_append_new(tags, jcol(s, 11));
		set_tags(n, tags);
		emit(a, n);
		if (cp != NULL) {
			json_t *r = node("uco-core:Relationship", "payment-party", key);
			json_object_set_new(r, "uco-core:source", ref(id));
			json_object_set_new(r, "uco-core:target", ref(acct));
			json_object_set_new(r, "uco-core:kindOfRelationship",
					    json_string("Has_Counterparty"));
			json_object_set_new(r, "uco-core:isDirectional", json_true());
			emit(a, r);
		}
		provenance(a, key, id, s, 13);
	}
	art_done(a, s, rc);
}

/* A source file the inventory does not list (it should): its own node
 * with the hash case.db recorded, so every provenance link resolves. */
static void art_pending_files(struct art *a)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_t *keys = json_array();
	json_object_foreach_safe(a->pending, tmp, k, v) json_array_append_new(keys, json_string(k));
	/* Sorted: object order is insertion order, which is sorted already. */
	size_t i;
	json_array_foreach(keys, i, v)
	{
		const char *path = json_string_value(v);
		const json_t *src = json_object_get(a->pending, path);
		json_t *n = node("uco-observable:ObservableObject", "file", path);
		json_t *ff = facet("uco-observable:FileFacet", "file-facet", path);
		set_str(ff, "uco-observable:filePath",
			json_string_value(json_object_get(src, "device_path")));
		json_t *cf = facet("uco-observable:ContentDataFacet", "content-facet", path);
		char hkey[256];
		snprintf(hkey, sizeof(hkey), "%s/SHA256", path);
		json_t *h = facet("uco-types:Hash", "hash", hkey);
		json_object_set_new(h, "uco-types:hashMethod",
				    typed("uco-vocabulary:HashNameVocab", "SHA256"));
		json_object_set_new(
		    h, "uco-types:hashValue",
		    typed("xsd:hexBinary",
			  json_string_value(json_object_get(src, "sha256")) ?: "unknown"));
		json_object_set_new(cf, "uco-observable:hash", json_pack("[o]", h));
		json_object_set_new(n, "uco-core:hasFacet", json_pack("[o,o]", ff, cf));
		json_object_set_new(
		    n, "uco-core:description",
		    json_string("case.db source not in the inventory (path in tag)"));
		json_object_set_new(n, "uco-core:tag", json_pack("[s]", path));
		emit(a, n);
	}
	json_decref(keys);
}

static void write_artifacts(struct listw *l, struct uco *u, void *ctx)
{
	struct art *a = ctx;
	(void)u;
	a->l = l;
	art_pending_files(a);
	art_accounts(a);
	art_contacts(a);
	art_messages(a);
	art_calls(a);
	art_payments(a);
	if (a->st != CU_OK && l->t->st == CU_OK) {
		l->t->st = a->st;
		l->t->err = a->err;
	}
}

static enum cu_status load_sources(struct art *a, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(a->db,
			       "SELECT evidence_path, sha256, device_path FROM sources WHERE"
			       " evidence_path IS NOT NULL ORDER BY evidence_path",
			       -1, &s, NULL) != SQLITE_OK)
		return cu_error_set(err, CU_E_IO, "case.jsonld: reading sources of case.db: %s",
				    sqlite3_errmsg(a->db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_object_set_new(
		    a->pending, (const char *)sqlite3_column_text(s, 0),
		    json_pack("{s:s?,s:s?}", "sha256", col(s, 1), "device_path", col(s, 2)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return cu_error_set(err, CU_E_IO, "case.jsonld: reading sources of case.db: %s",
				    sqlite3_errmsg(a->db));
	return CU_OK;
}

enum cu_status cu_caseuco_case(struct cu_case *c, struct sqlite3 *db, struct cu_textout *out,
			       uint64_t *objects, struct cu_error *err)
{
	struct art a;
	struct cu_buf dir = CU_BUF_INIT, log = CU_BUF_INIT, lp = CU_BUF_INIT, fdb = CU_BUF_INIT;
	enum cu_status st;
	bool made = false;

	memset(&a, 0, sizeof(a));
	a.db = db;
	a.pending = json_object();
	a.seen = json_object();
	if (a.pending == NULL || a.seen == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "case.jsonld: out of memory");
		goto out;
	}
	if (db != NULL && (st = load_sources(&a, err)) != CU_OK)
		goto out;
	/* The inventory's files, sorted, in a scratch index under work/. */
	if ((st = cu_case_path(c, "work", &dir, err)) != CU_OK ||
	    (st = cu_mkdirs(dir.data, 0755, false, err)) != CU_OK ||
	    (st = cu_buf_puts(&dir, "/caseuco.XXXXXX", err)) != CU_OK)
		goto out;
	if (mkdtemp(dir.data) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create a scratch folder '%s'",
				    dir.data);
		goto out;
	}
	made = true;
	if ((st = cu_sealfiles_open(dir.data, &a.files, err)) != CU_OK ||
	    (st = cu_sealfiles_load(a.files, c, -1, err)) != CU_OK ||
	    (st = cu_sealfiles_finish(a.files, 0, err)) != CU_OK)
		goto out;
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &lp, err)) != CU_OK ||
	    (st = cu_file_read_all(lp.data, (size_t)1 << 30, &log, err)) != CU_OK)
		goto out;
	st = caseuco_write(c->manifest, "case directory (not sealed)", log.data ? log.data : "",
			   log.len, each_inventory_file, &a, db != NULL ? write_artifacts : NULL,
			   &a, out, err);
	if (st == CU_OK && objects != NULL)
		*objects = a.objects;
out:
	cu_sealfiles_close(a.files);
	if (made) {
		if (cu_buf_printf(&fdb, NULL, "%s/files.db", dir.data) == CU_OK)
			(void)unlink(fdb.data);
		(void)rmdir(dir.data);
	}
	json_decref(a.pending);
	json_decref(a.seen);
	cu_buf_release(&dir);
	cu_buf_release(&log);
	cu_buf_release(&lp);
	cu_buf_release(&fdb);
	return st;
}

enum cu_status cu_seal_caseuco_db(const json_t *manifest, const char *package_id,
				  const char *custody_log, size_t custody_len, cu_caseuco_each each,
				  void *src, struct sqlite3 *db, struct cu_textout *out,
				  struct cu_error *err)
{
	struct art a;
	enum cu_status st;

	if (db == NULL)
		return cu_seal_caseuco(manifest, package_id, custody_log, custody_len, each, src,
				       out, err);
	memset(&a, 0, sizeof(a));
	a.db = db;
	a.inner = each;
	a.inner_src = src;
	a.pending = json_object();
	a.seen = json_object();
	if (a.pending == NULL || a.seen == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "case.jsonld: out of memory");
		goto out;
	}
	if ((st = load_sources(&a, err)) != CU_OK)
		goto out;
	st = caseuco_write(manifest, package_id, custody_log, custody_len, each_inventory_file, &a,
			   write_artifacts, &a, out, err);
out:
	json_decref(a.pending);
	json_decref(a.seen);
	return st;
}
