/*
 * keys.c - the inputs of WeChat Android's database key (APPS.md 1.1, 1.2):
 * key = md5_hex(IMEI + uin)[:7], <userdir> = md5_hex("mm" + uin), the uin
 * and IMEI read from shared_prefs XML and from the Java-serialized
 * HashMaps MicroMsg/systemInfo.cfg (key 1 = uin) and
 * MicroMsg/CompatibleInfo.cfg (key 258 = device id).
 *
 * The Java reader follows the Java Object Serialization Stream Protocol
 * (magic 0xACED, version 5) for exactly what java.util.HashMap writes:
 * class descriptors with primitive and object fields, strings, boxed
 * numbers, back references, and the HashMap's writeObject block data
 * (capacity, size) followed by size key/value objects. Anything else is
 * refused as unsupported; every read is bounds-checked.
 */
#include "parsers/wechat/wechat_int.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

static void md5_hex2(const char *a, const char *b, char out[33])
{
	unsigned char d[16];
	unsigned int dl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	memset(d, 0, sizeof(d));
	if (c != NULL && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(c, a, strlen(a)) == 1 && EVP_DigestUpdate(c, b, strlen(b)) == 1)
		EVP_DigestFinal_ex(c, d, &dl);
	EVP_MD_CTX_free(c);
	if (dl != 16)
		CU_BUG("md5 unavailable in libcrypto");
	cu_hex(d, 16, out);
}

void cu_wechat_key_derive(const char *imei, const char *uin, char out[8])
{
	char hex[33];

	md5_hex2(imei, uin, hex);
	memcpy(out, hex, 7);
	out[7] = '\0';
}

void cu_wechat_userdir(const char *uin, char out[33])
{
	md5_hex2("mm", uin, out);
}

/* ------------------------------------------------------------------ */
/* Java serialization                                                  */
/* ------------------------------------------------------------------ */

#define TC_NULL          0x70
#define TC_REFERENCE     0x71
#define TC_CLASSDESC     0x72
#define TC_OBJECT        0x73
#define TC_STRING        0x74
#define TC_BLOCKDATA     0x77
#define TC_ENDBLOCKDATA  0x78
#define TC_RESET         0x79
#define TC_BLOCKDATALONG 0x7A
#define TC_LONGSTRING    0x7C
#define BASE_HANDLE      0x7E0000u
#define SC_WRITE_METHOD  0x01
#define SC_SERIALIZABLE  0x02

#define MAX_HANDLES 65536
#define MAX_DEPTH   16
#define MAX_FIELDS  256
#define MAX_ENTRIES 100000

struct jfield {
	char type; /* B C D F I J S Z L [ */
	char *name;
};

struct jclass {
	char *name;
	uint8_t flags;
	size_t nfields;
	struct jfield *fields;
	int super; /* handle index or -1 */
};

enum jkind { J_NONE, J_CLASS, J_STRING, J_VALUE };

/* A handle: a class descriptor, a string, or an object's scalar value. */
struct jhandle {
	enum jkind kind;
	struct jclass cls;
	char *text; /* string contents or a number's decimal text */
	bool is_number;
	int64_t num;
};

struct jreader {
	const unsigned char *p;
	size_t n, pos;
	struct jhandle *h;
	size_t nh, caph;
	struct cu_error *err;
};

/* The value of one content element, for the caller. */
struct jval {
	bool null;
	bool is_number;
	int64_t num;
	const char *text; /* borrowed from a handle */
};

static enum cu_status jfail(struct jreader *r, const char *what)
{
	return cu_error_set(r->err, CU_E_FORMAT, "java serialization: %s at offset %zu", what,
			    r->pos);
}

static enum cu_status need(struct jreader *r, size_t k)
{
	if (r->n - r->pos < k)
		return jfail(r, "truncated stream");
	return CU_OK;
}

static enum cu_status rd_u8(struct jreader *r, uint8_t *v)
{
	if (need(r, 1) != CU_OK)
		return r->err->code;
	*v = r->p[r->pos++];
	return CU_OK;
}

static enum cu_status rd_be(struct jreader *r, size_t k, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (need(r, k) != CU_OK)
		return r->err->code;
	for (i = 0; i < k; i++)
		x = (x << 8) | r->p[r->pos + i];
	r->pos += k;
	*v = x;
	return CU_OK;
}

static enum cu_status new_handle(struct jreader *r, size_t *idx)
{
	struct jhandle *nh;

	if (r->nh >= MAX_HANDLES)
		return cu_error_set(r->err, CU_E_LIMIT, "java serialization: too many objects");
	if (r->nh == r->caph) {
		size_t cap = r->caph ? r->caph * 2 : 16;
		nh = cu_reallocarray(r->h, cap, sizeof(*nh));
		if (nh == NULL)
			return cu_error_set(r->err, CU_E_NOMEM,
					    "java serialization: out of memory");
		r->h = nh;
		r->caph = cap;
	}
	memset(&r->h[r->nh], 0, sizeof(r->h[0]));
	r->h[r->nh].cls.super = -1;
	*idx = r->nh++;
	return CU_OK;
}

static void handles_free(struct jreader *r)
{
	size_t i, j;

	for (i = 0; i < r->nh; i++) {
		free(r->h[i].text);
		free(r->h[i].cls.name);
		for (j = 0; j < r->h[i].cls.nfields; j++)
			free(r->h[i].cls.fields[j].name);
		free(r->h[i].cls.fields);
	}
	free(r->h);
	r->h = NULL;
	r->nh = r->caph = 0;
}

/* Modified UTF-8 string of len bytes; a NUL (C0 80 or 00) is refused. */
static enum cu_status rd_utf_body(struct jreader *r, uint64_t len, char **out)
{
	char *s;

	if (len > r->n - r->pos)
		return jfail(r, "string runs past the end");
	if (memchr(r->p + r->pos, 0, (size_t)len) != NULL)
		return jfail(r, "NUL byte in string");
	s = cu_strndup((const char *)r->p + r->pos, (size_t)len);
	if (s == NULL)
		return cu_error_set(r->err, CU_E_NOMEM, "java serialization: out of memory");
	r->pos += (size_t)len;
	*out = s;
	return CU_OK;
}

static enum cu_status rd_utf(struct jreader *r, char **out)
{
	uint64_t len;

	if (rd_be(r, 2, &len) != CU_OK)
		return r->err->code;
	return rd_utf_body(r, len, out);
}

static enum cu_status rd_content(struct jreader *r, int depth, struct jval *v);

/* A newString after its TC byte. */
static enum cu_status rd_string(struct jreader *r, bool longstr, struct jval *v)
{
	uint64_t len;
	size_t idx;
	char *s = NULL;

	if (rd_be(r, longstr ? 8 : 2, &len) != CU_OK)
		return r->err->code;
	if (rd_utf_body(r, len, &s) != CU_OK)
		return r->err->code;
	if (new_handle(r, &idx) != CU_OK) {
		free(s);
		return r->err->code;
	}
	r->h[idx].kind = J_STRING;
	r->h[idx].text = s;
	memset(v, 0, sizeof(*v));
	v->text = s;
	return CU_OK;
}

/* Skips annotations up to and including TC_ENDBLOCKDATA. */
static enum cu_status skip_annotation(struct jreader *r, int depth)
{
	uint8_t tc = 0;
	uint64_t len;
	struct jval v;

	for (;;) {
		if (need(r, 1) != CU_OK)
			return r->err->code;
		tc = r->p[r->pos];
		if (tc == TC_ENDBLOCKDATA) {
			r->pos++;
			return CU_OK;
		}
		if (tc == TC_BLOCKDATA || tc == TC_BLOCKDATALONG) {
			r->pos++;
			if (rd_be(r, tc == TC_BLOCKDATA ? 1 : 4, &len) != CU_OK)
				return r->err->code;
			if (len > r->n - r->pos)
				return jfail(r, "block data runs past the end");
			r->pos += (size_t)len;
			continue;
		}
		if (rd_content(r, depth + 1, &v) != CU_OK)
			return r->err->code;
	}
}

/* classDesc: TC_CLASSDESC / TC_NULL / TC_REFERENCE; *idx = -1 for null. */
static enum cu_status rd_classdesc(struct jreader *r, int depth, int *idx)
{
	uint8_t tc = 0, flags = 0;
	uint64_t nf, ref;
	size_t h, i;
	struct jclass *c;
	struct jval tmp;
	int super = -1;

	if (depth > MAX_DEPTH)
		return jfail(r, "nesting too deep");
	if (rd_u8(r, &tc) != CU_OK)
		return r->err->code;
	if (tc == TC_NULL) {
		*idx = -1;
		return CU_OK;
	}
	if (tc == TC_REFERENCE) {
		if (rd_be(r, 4, &ref) != CU_OK)
			return r->err->code;
		if (ref < BASE_HANDLE || ref - BASE_HANDLE >= r->nh ||
		    r->h[ref - BASE_HANDLE].kind != J_CLASS)
			return jfail(r, "bad class reference");
		*idx = (int)(ref - BASE_HANDLE);
		return CU_OK;
	}
	if (tc != TC_CLASSDESC)
		return jfail(r, "unsupported class descriptor (proxy or unknown)");
	if (new_handle(r, &h) != CU_OK)
		return r->err->code;
	r->h[h].kind = J_CLASS;
	if (rd_utf(r, &r->h[h].cls.name) != CU_OK)
		return r->err->code;
	if (need(r, 8) != CU_OK)
		return r->err->code;
	r->pos += 8; /* serialVersionUID */
	if (rd_u8(r, &flags) != CU_OK || rd_be(r, 2, &nf) != CU_OK)
		return r->err->code;
	if (nf > MAX_FIELDS)
		return jfail(r, "too many fields");
	c = &r->h[h].cls;
	c->flags = flags;
	if (nf > 0) {
		c->fields = cu_calloc((size_t)nf, sizeof(*c->fields));
		if (c->fields == NULL)
			return cu_error_set(r->err, CU_E_NOMEM,
					    "java serialization: out of memory");
	}
	for (i = 0; i < nf; i++) {
		uint8_t t;
		struct jfield *f;

		if (rd_u8(r, &t) != CU_OK)
			return r->err->code;
		/* r->h may move when handles are added below: index again */
		f = &r->h[h].cls.fields[i];
		f->type = (char)t;
		r->h[h].cls.nfields = i + 1;
		if (rd_utf(r, &f->name) != CU_OK)
			return r->err->code;
		if (strchr("BCDFIJSZ", t) != NULL && t != 0)
			continue;
		if (t != 'L' && t != '[')
			return jfail(r, "bad field type code");
		/* className1: a string or a reference to one */
		if (rd_content(r, depth + 1, &tmp) != CU_OK)
			return r->err->code;
		if (tmp.text == NULL)
			return jfail(r, "field class name is not a string");
	}
	if (skip_annotation(r, depth) != CU_OK)
		return r->err->code;
	if (rd_classdesc(r, depth + 1, &super) != CU_OK)
		return r->err->code;
	r->h[h].cls.super = super;
	*idx = (int)h;
	return CU_OK;
}

static size_t prim_size(char t)
{
	switch (t) {
	case 'B':
	case 'Z': return 1;
	case 'C':
	case 'S': return 2;
	case 'I':
	case 'F': return 4;
	case 'J':
	case 'D': return 8;
	default: return 0;
	}
}

static bool is_map_class(const char *name)
{
	/* LinkedHashMap writes HashMap's block before its own fields: not
	 * supported (WeChat's .cfg files are plain HashMaps). */
	return strcmp(name, "java.util.HashMap") == 0;
}

/* Reads the field values of class cls_idx and its superclasses (super
 * first). Integral primitive fields of boxed numbers give the value. */
static enum cu_status rd_classdata(struct jreader *r, int cls_idx, int depth, size_t obj)
{
	int chain[MAX_DEPTH];
	int nchain = 0, k;
	size_t i;

	for (k = cls_idx; k >= 0; k = r->h[k].cls.super) {
		if (nchain == MAX_DEPTH)
			return jfail(r, "class hierarchy too deep");
		chain[nchain++] = k;
	}
	while (nchain-- > 0) {
		int ci = chain[nchain];
		uint8_t flags = r->h[ci].cls.flags;

		if (!(flags & SC_SERIALIZABLE))
			return jfail(r, "externalizable or non-serializable class");
		for (i = 0; i < r->h[ci].cls.nfields; i++) {
			char t = r->h[ci].cls.fields[i].type;
			size_t sz = prim_size(t);
			uint64_t x;
			struct jval v;

			if (sz == 0) {
				if (rd_content(r, depth + 1, &v) != CU_OK)
					return r->err->code;
				continue;
			}
			if (rd_be(r, sz, &x) != CU_OK)
				return r->err->code;
			if (t == 'I' || t == 'J' || t == 'S' || t == 'B' || t == 'Z') {
				int64_t val;
				if (sz == 1)
					val = (int8_t)x;
				else if (sz == 2)
					val = (int16_t)x;
				else if (sz == 4)
					val = (int32_t)x;
				else
					val = (int64_t)x;
				if (!r->h[obj].is_number) {
					r->h[obj].is_number = true;
					r->h[obj].num = val;
				}
			}
		}
		if ((flags & SC_WRITE_METHOD) && !is_map_class(r->h[ci].cls.name)) {
			if (skip_annotation(r, depth) != CU_OK)
				return r->err->code;
		}
	}
	return CU_OK;
}

static bool is_boxed_number(const char *name)
{
	return strcmp(name, "java.lang.Integer") == 0 || strcmp(name, "java.lang.Long") == 0 ||
	       strcmp(name, "java.lang.Short") == 0 || strcmp(name, "java.lang.Byte") == 0 ||
	       strcmp(name, "java.lang.Boolean") == 0;
}

static enum cu_status rd_object(struct jreader *r, int depth, struct jval *v, int *cls_out,
				size_t *obj_out)
{
	int cls = -1;
	size_t obj;

	if (rd_classdesc(r, depth + 1, &cls) != CU_OK)
		return r->err->code;
	if (cls < 0)
		return jfail(r, "object without class");
	if (new_handle(r, &obj) != CU_OK)
		return r->err->code;
	r->h[obj].kind = J_VALUE;
	if (rd_classdata(r, cls, depth, obj) != CU_OK)
		return r->err->code;
	memset(v, 0, sizeof(*v));
	if (is_boxed_number(r->h[cls].cls.name) && r->h[obj].is_number) {
		v->is_number = true;
		v->num = r->h[obj].num;
	} else {
		r->h[obj].is_number = false;
		v->null = true; /* an object we do not render */
	}
	*cls_out = cls;
	*obj_out = obj;
	return CU_OK;
}

static enum cu_status rd_content(struct jreader *r, int depth, struct jval *v)
{
	uint8_t tc = 0;
	uint64_t ref;
	int cls;
	size_t obj;

	if (depth > MAX_DEPTH)
		return jfail(r, "nesting too deep");
	if (rd_u8(r, &tc) != CU_OK)
		return r->err->code;
	switch (tc) {
	case TC_NULL:
		memset(v, 0, sizeof(*v));
		v->null = true;
		return CU_OK;
	case TC_STRING: return rd_string(r, false, v);
	case TC_LONGSTRING: return rd_string(r, true, v);
	case TC_REFERENCE:
		if (rd_be(r, 4, &ref) != CU_OK)
			return r->err->code;
		if (ref < BASE_HANDLE || ref - BASE_HANDLE >= r->nh)
			return jfail(r, "bad back reference");
		memset(v, 0, sizeof(*v));
		switch (r->h[ref - BASE_HANDLE].kind) {
		case J_STRING: v->text = r->h[ref - BASE_HANDLE].text; break;
		case J_VALUE:
			v->is_number = r->h[ref - BASE_HANDLE].is_number;
			v->num = r->h[ref - BASE_HANDLE].num;
			v->null = !v->is_number;
			break;
		default: v->null = true; break;
		}
		return CU_OK;
	case TC_OBJECT:
		if (rd_object(r, depth, v, &cls, &obj) != CU_OK)
			return r->err->code;
		if (is_map_class(r->h[cls].cls.name))
			return jfail(r, "nested map not supported");
		return CU_OK;
	case TC_CLASSDESC:
		r->pos--;
		if (rd_classdesc(r, depth + 1, &cls) != CU_OK)
			return r->err->code;
		memset(v, 0, sizeof(*v));
		v->null = true;
		return CU_OK;
	default: return jfail(r, "unsupported type code");
	}
}

static enum cu_status val_text(struct jreader *r, const struct jval *v, char **out)
{
	char tmp[24];

	*out = NULL;
	if (v->text != NULL)
		*out = cu_strdup(v->text);
	else if (v->is_number) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v->num);
		*out = cu_strdup(tmp);
	} else
		return CU_OK;
	if (*out == NULL)
		return cu_error_set(r->err, CU_E_NOMEM, "java serialization: out of memory");
	return CU_OK;
}

void cu_javamap_release(struct cu_javamap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].value);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const char *cu_javamap_get(const struct cu_javamap *m, int64_t key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].key == key)
			return m->v[i].value;
	return NULL;
}

enum cu_status cu_javaser_int_map_parse(const unsigned char *p, size_t n, struct cu_javamap *out,
					struct cu_error *err)
{
	struct jreader r = {p, n, 0, NULL, 0, 0, err};
	struct cu_javamap m = {NULL, 0};
	struct cu_error dummy;
	enum cu_status st;
	uint8_t tc = 0;
	uint64_t len = 0, cap = 0, size = 0, i;
	int cls;
	size_t obj;
	struct jval v;

	if (err == NULL)
		r.err = err = &dummy;
	if (n < 5 || p[0] != 0xAC || p[1] != 0xED || p[2] != 0x00 || p[3] != 0x05) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "not a java serialization stream (magic aced0005 missing)");
		goto out;
	}
	r.pos = 4;
	if ((st = rd_u8(&r, &tc)) != CU_OK)
		goto out;
	if (tc != TC_OBJECT) {
		st = jfail(&r, "top-level element is not an object");
		goto out;
	}
	if ((st = rd_object(&r, 0, &v, &cls, &obj)) != CU_OK)
		goto out;
	if (!is_map_class(r.h[cls].cls.name)) {
		st = cu_error_set(err, CU_E_UNSUPPORTED,
				  "java serialization: top-level object is '%s', not a HashMap",
				  r.h[cls].cls.name);
		goto out;
	}
	/* HashMap.writeObject: block data with int capacity, int size */
	if ((st = rd_u8(&r, &tc)) != CU_OK)
		goto out;
	if (tc != TC_BLOCKDATA) {
		st = jfail(&r, "HashMap block data missing");
		goto out;
	}
	if ((st = rd_be(&r, 1, &len)) != CU_OK)
		goto out;
	if (len != 8) {
		st = jfail(&r, "unexpected HashMap block length");
		goto out;
	}
	if ((st = rd_be(&r, 4, &cap)) != CU_OK || (st = rd_be(&r, 4, &size)) != CU_OK)
		goto out;
	if (size > MAX_ENTRIES || size > (r.n - r.pos) / 2) {
		st = jfail(&r, "implausible HashMap size");
		goto out;
	}
	if (size > 0) {
		m.v = cu_calloc((size_t)size, sizeof(*m.v));
		if (m.v == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "java serialization: out of memory");
			goto out;
		}
	}
	for (i = 0; i < size; i++) {
		struct jval k;

		if ((st = rd_content(&r, 1, &k)) != CU_OK)
			goto out;
		if (!k.is_number) {
			st = jfail(&r, "HashMap key is not an Integer");
			goto out;
		}
		if ((st = rd_content(&r, 1, &v)) != CU_OK)
			goto out;
		m.v[m.n].key = k.num;
		if ((st = val_text(&r, &v, &m.v[m.n].value)) != CU_OK)
			goto out;
		m.n++;
	}
	/* writeObject's annotation ends with TC_ENDBLOCKDATA */
	if ((st = rd_u8(&r, &tc)) != CU_OK)
		goto out;
	if (tc != TC_ENDBLOCKDATA) {
		st = jfail(&r, "HashMap contents not terminated");
		goto out;
	}
	*out = m;
	m.v = NULL;
	m.n = 0;
	st = CU_OK;
out:
	cu_javamap_release(&m);
	handles_free(&r);
	return st;
}

/* ------------------------------------------------------------------ */
/* shared_prefs XML                                                    */
/* ------------------------------------------------------------------ */

/* Direct text and CDATA children only: entity references are left out so
 * nothing is ever expanded. */
static enum cu_status node_text(xmlNodePtr n, struct cu_buf *b, struct cu_error *err)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL) {
			enum cu_status st = cu_buf_puts(b, (const char *)c->content, err);
			if (st != CU_OK)
				return st;
		}
	}
	return CU_OK;
}

enum cu_status cu_android_prefs_get(const char *xml, size_t n, const char *name, char **out,
				    struct cu_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c;
	struct cu_buf b;
	enum cu_status st = CU_OK;
	bool found = false;

	cu_buf_init(&b, 1 << 20);
	if (n > INT_MAX)
		return cu_error_set(err, CU_E_LIMIT, "shared_prefs xml too large");
	if (cu_xml_has_dtd(xml, n)) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "shared_prefs: document type declaration refused (no entity "
				  "expansion)");
		goto out;
	}
	/* no XML_PARSE_NOENT (no entity substitution), no DTD loading, no network */
	doc = xmlReadMemory(xml, (int)n, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		st = cu_error_set(err, CU_E_FORMAT, "shared_prefs: not well-formed xml");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "map")) {
		st = cu_error_set(err, CU_E_FORMAT, "shared_prefs: root element is not <map>");
		goto out;
	}
	for (c = root->children; c != NULL && !found; c = c->next) {
		xmlChar *nm, *val;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		nm = xmlGetNoNsProp(c, BAD_CAST "name");
		if (nm == NULL || strcmp((const char *)nm, name) != 0) {
			xmlFree(nm);
			continue;
		}
		xmlFree(nm);
		found = true;
		if (xmlStrEqual(c->name, BAD_CAST "string")) {
			st = node_text(c, &b, err);
		} else {
			val = xmlGetNoNsProp(c, BAD_CAST "value");
			if (val == NULL) {
				st = cu_error_set(err, CU_E_FORMAT,
						  "shared_prefs: entry '%s' has no value", name);
				goto out;
			}
			st = cu_buf_puts(&b, (const char *)val, err);
			xmlFree(val);
		}
		if (st != CU_OK)
			goto out;
	}
	if (!found) {
		st = cu_error_set(err, CU_E_NOTFOUND, "shared_prefs: no entry '%s'", name);
		goto out;
	}
	*out = cu_buf_detach(&b, NULL);
out:
	cu_buf_release(&b);
	xmlFreeDoc(doc);
	return st;
}
