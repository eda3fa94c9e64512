/*
 * phonegen.c - writes a phone-shaped directory tree, for bench/phone.sh.
 *
 *   phonegen [-s SEED] [-j THREADS] DIR NFILES
 *
 * DIR must not exist. NFILES files of 1-64 KiB, log-uniform (mean about
 * 15 KiB: 100,000 files are about 1.5 GB, 1,000,000 about 15 GB), laid out
 * like a WeChat-heavy Android phone: WeChat image2/voice2 fan-out
 * (MicroMsg/<account>/image2/ab/cd/<32 hex>.jpg), camera and screenshot
 * folders with thousands of files in one directory, WhatsApp media (names
 * with spaces), shared_prefs XML, app caches of many small files, and
 * Chinese file and directory names (微信图片_..., 聊天记录/<contact>/...).
 *
 * Deterministic: file i's path, size, bytes and mtime depend only on
 * (SEED, i), so the same arguments give the same tree whatever THREADS is.
 * Contents are xoshiro256** output behind the format's magic bytes, so they
 * do not compress. Directories are created on demand (mkdirat when openat
 * says ENOENT); each file is one openat, one write, one futimens, one close.
 *
 * Prints "files N bytes B dirs D" on stdout (D counts DIR itself).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILE    (64 * 1024)
#define MIN_FILE    1024
#define MAX_THREADS 16
/* 2026-01-01T00:00:00Z: file i is dated BASE_TIME + i * 37 s. */
#define BASE_TIME 1767225600

struct gen {
	const char *root;
	int rootfd;
	uint64_t seed;
	uint64_t nfiles;
	unsigned nthreads;
};

struct worker {
	struct gen *gen;
	unsigned index;
	pthread_t thread;
	uint64_t files, bytes, dirs;
	int failed;
};

/* 2^(k/4096) for k in [0, 4096): log-uniform sizes without libm at runtime. */
static double frac_pow2[4096];

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

struct xoshiro {
	uint64_t s[4];
};

static void xoshiro_seed(struct xoshiro *x, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		x->s[i] = splitmix64(&seed);
}

static inline uint64_t xoshiro_next(struct xoshiro *x)
{
	uint64_t *s = x->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

static void fill_random(struct xoshiro *x, unsigned char *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = xoshiro_next(x);

		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = xoshiro_next(x);

		memcpy(p, &v, n);
	}
}

/* shared_prefs body: <string> entries of random hex, closed by </map>. */
static void fill_xml(struct xoshiro *x, unsigned char *p, size_t n)
{
	static const char tail[] = "</map>\n";
	static const char hex[] = "0123456789abcdef";
	size_t end = n - (sizeof(tail) - 1), at = 0;

	while (at < end) {
		char line[96];
		uint64_t a = xoshiro_next(x), b = xoshiro_next(x);
		int len = snprintf(line, sizeof(line), "    <string name=\"k%04x\">",
				   (unsigned)(a >> 48));

		for (int k = 0; k < 16; k++)
			line[len++] = hex[(b >> (4 * k)) & 15];
		memcpy(line + len, "</string>\n", 10);
		len += 10;
		memcpy(p + at, line, (size_t)len < end - at ? (size_t)len : end - at);
		at += (size_t)len < end - at ? (size_t)len : end - at;
	}
	memcpy(p + end, tail, sizeof(tail) - 1);
}

static uint64_t pick(struct xoshiro *x, uint64_t n)
{
	return xoshiro_next(x) % n;
}

/* Chinese contact and group names for the chat-export folders. */
static const char *const contacts[] = {
    "张伟",   "王芳",   "李娜",   "刘洋",         "陈静", "杨磊", "赵敏", "黄勇",
    "工作群", "家人群", "同学群", "文件传输助手", "老板", "快递", "房东", "客户李总",
};
/* Packages with shared_prefs and caches; more are numbered past these. */
static const char *const packages[] = {
    "com.tencent.mm",
    "com.tencent.mobileqq",
    "com.eg.android.AlipayGphone",
    "com.ss.android.ugc.aweme",
    "com.sina.weibo",
    "com.taobao.taobao",
    "com.jingdong.app.mall",
    "com.sankuai.meituan",
    "com.baidu.BaiduMap",
    "com.autonavi.minimap",
    "com.xingin.xhs",
    "tv.danmaku.bili",
    "com.whatsapp",
    "org.telegram.messenger",
    "com.android.chrome",
    "com.android.providers.media",
    "com.huawei.hwid",
    "com.miui.gallery",
};
static const char *const cache_dirs[] = {
    "cache/image_manager_disk_cache", "cache/okhttp",
    "cache/webview/Cache/Cache_Data", "app_webview/Default/Code Cache/js",
    "cache/fresco/v2.ols100.1",       "files/splash",
};
static const char *const pref_names[] = {
    "_preferences", "_account",
    "settings",     "WebViewChromiumPrefs",
    "push_config",  "com.google.android.gms.measurement.prefs",
    "隐私设置",
};

static void date_of(uint64_t t, char *out, size_t n, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, fmt, &tm);
}

/*
 * Writes file i's path (relative to the root) into path and its magic bytes
 * into *magic. The 64-bit name tag is a bijection of i (splitmix's
 * finaliser), so names never collide.
 */
static void file_path(const struct gen *g, uint64_t i, struct xoshiro *x, char *path, size_t n,
		      const char **magic)
{
	uint64_t st = i ^ g->seed;
	uint64_t tag = splitmix64(&st);
	uint64_t tag2 = splitmix64(&st);
	uint64_t t = BASE_TIME + i * 37;
	unsigned roll = (unsigned)pick(x, 1000);
	/* One main WeChat account and one rarely used second one. */
	uint64_t acct_st = g->seed ^ (pick(x, 10) == 0 ? 2 : 1);
	uint64_t acct1 = splitmix64(&acct_st), acct2 = splitmix64(&acct_st);
	char day[16], stamp[32];

	*magic = "\xff\xd8\xff\xdb"; /* JPEG SOI + DQT, no NUL for strlen */
	if (roll < 380) {            /* WeChat image2, 1 in 5 a thumbnail */
		unsigned a = (unsigned)(tag >> 56), b = (unsigned)(tag >> 48) & 0xff;
		int thumb = roll >= 300;

		snprintf(path, n,
			 "data/data/com.tencent.mm/MicroMsg/%016" PRIx64 "%016" PRIx64
			 "/image2/%02x/%02x/%s%016" PRIx64 "%016" PRIx64 "%s",
			 acct1, acct2, a, b, thumb ? "th_" : "", tag, tag2, thumb ? "" : ".jpg");
	} else if (roll < 500) { /* WeChat voice2 */
		unsigned a = (unsigned)(tag >> 56), b = (unsigned)(tag >> 48) & 0xff;

		date_of(t, stamp, sizeof(stamp), "%H%M%S%d%m%y");
		*magic = "#!AMR\n";
		snprintf(path, n,
			 "data/data/com.tencent.mm/MicroMsg/%016" PRIx64 "%016" PRIx64
			 "/voice2/%02x/%02x/msg_%s%016" PRIx64 ".amr",
			 acct1, acct2, a, b, stamp, tag);
	} else if (roll < 550) { /* camera: one big flat folder */
		date_of(t, stamp, sizeof(stamp), "%Y%m%d_%H%M%S");
		snprintf(path, n, "sdcard/DCIM/Camera/IMG_%s.jpg", stamp);
	} else if (roll < 600) { /* WeChat's saved pictures */
		date_of(t, stamp, sizeof(stamp), "%Y%m%d%H%M%S");
		snprintf(path, n, "sdcard/tencent/MicroMsg/WeiXin/微信图片_%s.jpg", stamp);
	} else if (roll < 630) { /* chat exports and received files */
		date_of(t, stamp, sizeof(stamp), "%Y%m%d%H%M%S");
		*magic = "%PDF-1.7\n";
		snprintf(path, n, "sdcard/tencent/MicroMsg/Download/聊天记录/%s/文件_%s_%04x.pdf",
			 contacts[pick(x, sizeof(contacts) / sizeof(contacts[0]))], stamp,
			 (unsigned)(tag & 0xffff));
	} else if (roll < 710) { /* WhatsApp: names with spaces, counters per day */
		unsigned counter = (unsigned)(i % 10000);
		uint64_t dt = BASE_TIME + (i / 10000) * 86400;

		date_of(dt, day, sizeof(day), "%Y%m%d");
		if (roll < 680) {
			snprintf(path, n,
				 "sdcard/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp "
				 "Images%s/IMG-%s-WA%04u.jpg",
				 roll < 640 ? "/Sent" : "", day, counter);
		} else {
			char month[8];

			date_of(dt, month, sizeof(month), "%Y%W");
			*magic = "OggS";
			snprintf(path, n,
				 "sdcard/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Voice "
				 "Notes/%s/PTT-%s-WA%04u.opus",
				 month, day, counter);
		}
	} else if (roll < 740) { /* shared_prefs XML */
		uint64_t p = pick(x, 60);
		const char *pref = pref_names[pick(x, sizeof(pref_names) / sizeof(pref_names[0]))];
		char pkg[64];

		if (p < sizeof(packages) / sizeof(packages[0]))
			snprintf(pkg, sizeof(pkg), "%s", packages[p]);
		else
			snprintf(pkg, sizeof(pkg), "com.example.app%02u", (unsigned)p);
		*magic = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n";
		snprintf(path, n, "data/data/%s/shared_prefs/%s%s_%016" PRIx64 ".xml", pkg,
			 pref[0] == '_' ? pkg : "", pref, tag);
	} else if (roll < 940) { /* app caches: many small files */
		const char *pkg = packages[pick(x, sizeof(packages) / sizeof(packages[0]))];
		const char *dir = cache_dirs[pick(x, sizeof(cache_dirs) / sizeof(cache_dirs[0]))];

		*magic = "";
		if (roll < 840)
			snprintf(path, n, "data/data/%s/%s/%016" PRIx64 "%016" PRIx64 ".0", pkg,
				 dir, tag, tag2);
		else
			snprintf(path, n, "sdcard/Android/data/%s/cache/%02x/%016" PRIx64 "_0", pkg,
				 (unsigned)(tag >> 58), tag);
	} else if (roll < 980) { /* QQ received files and pictures */
		snprintf(path, n,
			 "sdcard/Android/data/com.tencent.mobileqq/Tencent/%s/%016" PRIx64 ".jpg",
			 roll < 960 ? "MobileQQ/chatpic/chatimg" : "QQfile_recv/图片", tag);
	} else { /* screenshots */
		date_of(t, stamp, sizeof(stamp), "%Y%m%d-%H%M%S");
		*magic = "\x89PNG\r\n\x1a\n";
		snprintf(path, n, "sdcard/Pictures/Screenshots/Screenshot_%s_%04x.png", stamp,
			 (unsigned)(tag & 0xffff));
	}
}

/* Log-uniform in [MIN_FILE, MAX_FILE]: 1 KiB * 2^(6u), u uniform in [0, 1). */
static size_t file_size(struct xoshiro *x)
{
	uint64_t k = pick(x, 6 * 4096);
	size_t size = (size_t)((double)(MIN_FILE << (k / 4096)) * frac_pow2[k % 4096]);

	return size > MAX_FILE ? MAX_FILE : size;
}

/* Creates every missing directory of path's parent; counts those it made. */
static int make_parents(struct worker *w, char *path)
{
	int fd = w->gen->rootfd;

	for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdirat(fd, path, 0755) == 0)
			w->dirs++;
		else if (errno != EEXIST) {
			fprintf(stderr, "phonegen: cannot create directory '%s/%s': %s\n",
				w->gen->root, path, strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_file(struct worker *w, uint64_t i, unsigned char *buf)
{
	struct gen *g = w->gen;
	struct xoshiro x;
	char path[1024];
	const char *magic;
	size_t size, mlen;
	struct timespec ts[2];
	ssize_t done;
	int fd;

	xoshiro_seed(&x, g->seed * 0x9e3779b97f4a7c15ULL + i);
	file_path(g, i, &x, path, sizeof(path), &magic);
	size = file_size(&x);
	mlen = strlen(magic);
	if (mlen > size)
		mlen = size;
	memcpy(buf, magic, mlen);
	if (strncmp(magic, "<?xml", 5) == 0)
		fill_xml(&x, buf + mlen, size - mlen);
	else
		fill_random(&x, buf + mlen, size - mlen);

	fd = openat(g->rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		if (make_parents(w, path) < 0)
			return -1;
		fd = openat(g->rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		fprintf(stderr, "phonegen: cannot create '%s/%s': %s\n", g->root, path,
			strerror(errno));
		return -1;
	}
	for (size_t off = 0; off < size; off += (size_t)done) {
		done = write(fd, buf + off, size - off);
		if (done < 0 && errno == EINTR) {
			done = 0;
			continue;
		}
		if (done <= 0) {
			fprintf(stderr, "phonegen: cannot write '%s/%s': %s\n", g->root, path,
				done < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)(BASE_TIME + i * 37);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens(fd, ts) < 0 || close(fd) < 0) {
		fprintf(stderr, "phonegen: cannot finish '%s/%s': %s\n", g->root, path,
			strerror(errno));
		return -1;
	}
	w->files++;
	w->bytes += size;
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(MAX_FILE);

	if (!buf) {
		fprintf(stderr, "phonegen: out of memory\n");
		w->failed = 1;
		return NULL;
	}
	for (uint64_t i = w->index; i < w->gen->nfiles; i += w->gen->nthreads) {
		if (write_file(w, i, buf) < 0) {
			w->failed = 1;
			break;
		}
	}
	free(buf);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: phonegen [-s SEED] [-j THREADS] DIR NFILES\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-' ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct gen g = {.seed = 1, .nthreads = 2};
	struct worker w[MAX_THREADS];
	uint64_t files = 0, bytes = 0, dirs = 1, threads;
	struct timespec t0, t1;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "s:j:")) != -1) {
		switch (opt) {
		case 's':
			if (parse_u64(optarg, &g.seed) < 0)
				return usage();
			break;
		case 'j':
			if (parse_u64(optarg, &threads) < 0 || threads < 1 || threads > MAX_THREADS)
				return usage();
			g.nthreads = (unsigned)threads;
			break;
		default: return usage();
		}
	}
	if (argc - optind != 2 || parse_u64(argv[optind + 1], &g.nfiles) < 0)
		return usage();
	g.root = argv[optind];

	/* The table is filled by repeated multiplication by 2^(1/4096), itself
	 * from twelve square roots: IEEE sqrt and * are exactly rounded, so
	 * every libm gives the same sizes. */
	double step = 2.0;
	for (int k = 0; k < 12; k++)
		step = sqrt(step);
	frac_pow2[0] = 1.0;
	for (int k = 1; k < 4096; k++)
		frac_pow2[k] = frac_pow2[k - 1] * step;

	if (mkdir(g.root, 0755) < 0) {
		fprintf(stderr, "phonegen: cannot create '%s': %s (it must not exist)\n", g.root,
			strerror(errno));
		return 1;
	}
	g.rootfd = open(g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.rootfd < 0) {
		fprintf(stderr, "phonegen: cannot open '%s': %s\n", g.root, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned t = 0; t < g.nthreads; t++) {
		w[t] = (struct worker){.gen = &g, .index = t};
		if (pthread_create(&w[t].thread, NULL, worker_run, &w[t]) != 0) {
			fprintf(stderr, "phonegen: cannot start a thread\n");
			return 1;
		}
	}
	for (unsigned t = 0; t < g.nthreads; t++) {
		pthread_join(w[t].thread, NULL);
		files += w[t].files;
		bytes += w[t].bytes;
		dirs += w[t].dirs;
		rc |= w[t].failed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(g.rootfd);
	if (rc)
		return 1;
	printf("files %" PRIu64 " bytes %" PRIu64 " dirs %" PRIu64 "\n", files, bytes, dirs);
	fprintf(stderr, "phonegen: %.1f s\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
