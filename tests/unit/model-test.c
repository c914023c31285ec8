/* SPDX-License-Identifier: MIT */
/*
 * The version model and its rules on hand-made event streams: what makes a
 * read torn, stale or unknown, what a read racing its write is allowed to
 * see, a store racing msync, lost events making a verdict uncertain, and
 * async I/O: buffers changed or released in flight, short reads.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "records.h"
#include "rules.h"
#include "tornwatch-events.h"
#include "crc32c.h"
#include "hosts.h"

static int fails;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			printf("FAIL %s line %d: %s\n", scenario, __LINE__,	\
			       #cond);						\
			fails++;						\
		}								\
	} while (0)

static const char *scenario;
static struct tw_records rec;
static struct tw_rules *stream;	/* non-NULL: rules step after each event */

/* Each thread's newest call: the one its pieces and pages belong to. */
static uint64_t cur_cid[256], next_cid;
/* The host events are fed from (hosts.h), unless they say. */
static uint32_t cur_host;

static void feed(struct tw_event *ev)
{
	if (ev->cid == 0) {
		ev->cid = cur_cid[ev->tid & 255];
	}
	ev->dev = ev->dev ? ev->dev : 8;
	ev->ino = ev->ino ? ev->ino : 42;
	ev->host = ev->host ? ev->host : cur_host;
	if (tw_records_add(&rec, ev) != 0 ||
	    (stream && tw_rules_step(stream) != 0)) {
		printf("FAIL %s: out of memory\n", scenario);
		fails++;
	}
}

static void call(int64_t t, int end, int tid, const char *name, int op,
		 int64_t off, uint64_t len, int flags)
{
	struct tw_event ev = {
		.type = end ? TW_EV_CALL_END : TW_EV_CALL_BEGIN,
		.ts = t, .pid = 100 + tid / 10, .tid = tid, .op = op,
		.offset = off, .length = len, .flags = flags,
		.ret = end ? (op == TW_OP_MSYNC ? 0 : (int64_t)len) : 0,
		.fn = tw_fn_of(name),
	};

	if (!end) {
		cur_cid[tid & 255] = ++next_cid;
	}
	feed(&ev);
}

static void pieces(int64_t t, int tid, int kind, int64_t off, uint64_t len,
		   const uint32_t *crc, size_t n)
{
	struct tw_event ev = {
		.type = TW_EV_PIECES, .ts = t, .pid = 100 + tid / 10, .tid = tid,
		.kind = kind, .offset = off, .length = len, .crc = crc, .ncrc = n,
	};

	feed(&ev);
}

static const uint32_t OLD[2] = { 0xa0, 0xa1 }, NEW[2] = { 0xb0, 0xb1 };

/* msync(MS_SYNC) 40..50 by tid 10, finding page 0 holding NEW. */
static void msync_page0(void)
{
	static const uint32_t page[8] = { 0xb0, 0xb1, 0, 0, 0, 0, 0, 0 };
	static const uint64_t pg0 = 0;
	struct tw_event sp = {
		.type = TW_EV_SYNC_PAGES, .ts = 41, .pid = 101, .tid = 10,
		.phase = 0, .page = &pg0, .npage = 1, .crc = page, .ncrc = 8,
	};

	call(40, 0, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
	feed(&sp);
	call(50, 1, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
}

/* pwrite of OLD at 10..20, memcpy of NEW at 30..31, msync(MS_SYNC) 40..50. */
static void history(void)
{
	tw_records_free(&rec);
	tw_records_init(&rec);
	call(10, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	pieces(19, 10, TW_PIECE_DATA, 0, 1024, OLD, 2);
	call(20, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	call(30, 0, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
	pieces(30, 10, TW_PIECE_OLD, 0, 1024, OLD, 2);
	pieces(31, 10, TW_PIECE_DATA, 0, 1024, NEW, 2);
	call(31, 1, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
	msync_page0();
}

static void read_at(int64_t t0, int64_t t1, int tid, uint32_t c0, uint32_t c1)
{
	uint32_t crc[2] = { c0, c1 };

	call(t0, 0, tid, "read", TW_OP_READ, -1, 1024, 0);
	pieces(t1, tid, TW_PIECE_DATA, 0, 1024, crc, 2);
	call(t1, 1, tid, "read", TW_OP_READ, 0, 1024, 0);
}

/* Async I/O of pid 101 tid 10 on bytes 0..1024: submit, touch, complete. */
static void aio_ev(int type, int64_t t, int op, uint64_t id, int64_t v,
		   int flag)
{
	struct tw_event ev = {
		.type = type, .ts = t, .pid = 101, .tid = 10, .op = op,
		.offset = 0, .length = 1024, .engine = TW_ENGINE_LIBAIO,
		.ctx = 7, .id = id,
	};

	if (type == TW_EV_AIO_SUBMIT) {
		ev.size = v;
	} else if (type == TW_EV_AIO_COMPLETE) {
		ev.res = v;
		ev.seen = flag;
	} else {
		ev.released = flag;
	}
	ev.fn = tw_fn_of(type == TW_EV_AIO_TOUCH ? (flag ? "free" : "memset") :
			 "io_submit");
	/* An I/O's id; its pieces follow its submission or a touch. */
	ev.cid = 1000 + id;
	cur_cid[10] = ev.cid;
	feed(&ev);
}

static void async_write(const uint32_t *submitted)
{
	tw_records_free(&rec);
	tw_records_init(&rec);
	aio_ev(TW_EV_AIO_SUBMIT, 10, TW_OP_WRITE, 1, 4096, 0);
	pieces(10, 10, TW_PIECE_DATA, 0, 1024, submitted, 2);
}

/* The buffer's checksums come first: the completion closes the I/O. */
static void async_complete(int64_t t, int seen, const uint32_t *later)
{
	if (later) {
		cur_cid[10] = 1001;
		pieces(t, 10, TW_PIECE_LATER, 0, 1024, later, 2);
	}
	aio_ev(TW_EV_AIO_COMPLETE, t, TW_OP_WRITE, 1, 1024, seen);
}

static struct tw_anomalies run(void);

static void file_open(int64_t t, int tid, int flags, const char *path)
{
	struct tw_event ev = {
		.type = TW_EV_FILE_OPEN, .ts = t, .pid = 100 + tid / 10,
		.tid = tid, .fn = tw_fn_of("open"), .fd = 3, .flags = flags,
	};

	snprintf(ev.path, sizeof(ev.path), "%s", path);
	feed(&ev);
}

/*
 * OLD written at 0..1024, the name removed (links: the count it had), the
 * file opened again by another process, then read: zeros, or old data.
 */
static struct tw_anomalies reuse(int links, int flags, const char *path,
				 uint32_t c0, uint32_t c1, int64_t open_at)
{
	tw_records_free(&rec);
	tw_records_init(&rec);
	call(10, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	pieces(19, 10, TW_PIECE_DATA, 0, 1024, OLD, 2);
	call(20, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	call(30, 0, 10, "unlink", TW_OP_UNLINK, 0, 0, links);
	if (open_at < 40) {
		file_open(open_at, 20, flags, path);
	}
	call(40, 1, 10, "unlink", TW_OP_UNLINK, 0, 0, links);
	if (open_at >= 40) {
		file_open(open_at, 20, flags, path);
	}
	read_at(60, 61, 20, c0, c1);
	return run();
}

static void lifetime_scenarios(void)
{
	static const unsigned char zeros[512];
	uint32_t z = tw_crc32c(0, zeros, 512);
	struct tw_anomalies a;

	/* A new file under the number: its holes read zeros. */
	scenario = "inode reused, holes";
	a = reuse(1, O_CREAT | O_RDWR, "/t/f", z, z, 50);
	CHECK(a.n == 0 && a.reads_checked == 1);
	tw_anomalies_free(&a);

	/* The old file's data in the new one is older than its zeros. */
	scenario = "inode reused, old data";
	a = reuse(1, O_CREAT | O_RDWR, "/t/f", OLD[0], OLD[1], 50);
	CHECK(a.n == 1 && a.a[0].kind == TW_STALE_READ);
	tw_anomalies_free(&a);

	/* Made by no traced open: what it holds is not known. */
	scenario = "inode reused, made unseen";
	a = reuse(1, O_RDONLY, "/t/f", 0xdead, 0xbeef, 50);
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	/* Another link keeps the file: its data is still required. */
	scenario = "one of two links removed";
	a = reuse(2, O_CREAT | O_RDWR, "/t/f", z, z, 50);
	CHECK(a.n == 1);
	tw_anomalies_free(&a);

	/* /proc/PID/fd/N of the unlinked file still open: the same file. */
	scenario = "unlinked file reopened";
	a = reuse(1, O_RDWR, "/t/f (deleted)", z, z, 50);
	CHECK(a.n == 1);
	tw_anomalies_free(&a);

	/*
	 * Judged as read: the read's file is named as it was then, not by
	 * the name a new file with its inode number got later.
	 */
	scenario = "anomaly named by the old lifetime's path";
	tw_records_free(&rec);
	tw_records_init(&rec);
	stream = tw_rules_new(&rec, &a);
	file_open(5, 10, O_CREAT | O_RDWR, "/t/old");
	call(10, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	pieces(19, 10, TW_PIECE_DATA, 0, 1024, OLD, 2);
	call(20, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	read_at(25, 26, 10, 0xdead, 0xbeef);
	call(30, 0, 10, "unlink", TW_OP_UNLINK, 0, 0, 1);
	call(40, 1, 10, "unlink", TW_OP_UNLINK, 0, 0, 1);
	file_open(50, 20, O_CREAT | O_RDWR, "/t/new");
	CHECK(tw_rules_end(stream) == 0);
	tw_rules_free(stream);
	stream = NULL;
	CHECK(a.n == 1 && a.a[0].path && strcmp(a.a[0].path, "/t/old") == 0);
	tw_anomalies_free(&a);

	/* An open while the removal ran is not ordered with it. */
	scenario = "open racing the removal";
	a = reuse(1, O_CREAT | O_RDWR, "/t/f", 0xdead, 0xbeef, 35);
	CHECK(a.n == 0);
	tw_anomalies_free(&a);
}

static void async_scenarios(void)
{
	static const uint32_t half[1] = { 0xc0 };
	struct tw_anomalies a;

	scenario = "async write, healthy";
	async_write(OLD);
	async_complete(20, TW_SEEN_FIRST, OLD);
	read_at(30, 31, 20, OLD[0], OLD[1]);
	a = run();
	CHECK(a.n == 0 && a.reads_checked == 1);
	tw_anomalies_free(&a);

	scenario = "async write, buffer stored into in flight";
	async_write(OLD);
	aio_ev(TW_EV_AIO_TOUCH, 12, 0, 1, 0, 0);
	pieces(12, 10, TW_PIECE_LATER, 0, 1024, (const uint32_t[]){ 0xa0, 0xee }, 2);
	async_complete(20, TW_SEEN_FIRST, (const uint32_t[]){ 0xa0, 0xee });
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_BUFFER_MODIFIED);
	CHECK(a.n == 1 && a.a[0].npages == 1 && a.a[0].pages[0].offset == 512 &&
	      a.a[0].pages[0].state == TW_S_CHANGED && a.a[0].ninter == 2);
	tw_anomalies_free(&a);

	scenario = "async write, buffer freed and reused in flight";
	async_write(OLD);
	aio_ev(TW_EV_AIO_TOUCH, 12, 0, 1, 0, 1);
	aio_ev(TW_EV_AIO_TOUCH, 13, 0, 1, 0, 0);
	pieces(13, 10, TW_PIECE_LATER, 0, 1024, NEW, 2);
	async_complete(20, TW_SEEN_FIRST, NEW);
	read_at(30, 31, 20, NEW[0], NEW[1]);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_PHANTOM_WRITE && a.a[0].ninter == 4);
	tw_anomalies_free(&a);

	scenario = "async write, completion seen after the program's";
	async_write(OLD);
	aio_ev(TW_EV_AIO_TOUCH, 12, 0, 1, 0, 1);
	async_complete(20, TW_SEEN_LATE, NULL);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_ABANDONED_IO &&
	      a.a[0].pages[0].state == TW_S_RELEASED);
	tw_anomalies_free(&a);

	scenario = "async read, short";
	tw_records_free(&rec);
	tw_records_init(&rec);
	aio_ev(TW_EV_AIO_SUBMIT, 10, TW_OP_READ, 2, 4096, 0);
	pieces(20, 10, TW_PIECE_DATA, 0, 512, half, 1);
	aio_ev(TW_EV_AIO_COMPLETE, 20, TW_OP_READ, 2, 512, TW_SEEN_FIRST);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_SHORT_READ &&
	      a.a[0].pages[0].offset == 512 && a.a[0].pages[0].length == 512 &&
	      a.a[0].pages[0].state == TW_S_NOT_READ);
	tw_anomalies_free(&a);

	scenario = "async read, short at end of file";
	tw_records_free(&rec);
	tw_records_init(&rec);
	aio_ev(TW_EV_AIO_SUBMIT, 10, TW_OP_READ, 2, 512, 0);
	pieces(20, 10, TW_PIECE_DATA, 0, 512, half, 1);
	aio_ev(TW_EV_AIO_COMPLETE, 20, TW_OP_READ, 2, 512, TW_SEEN_FIRST);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);
}

static struct tw_anomalies run(void)
{
	struct tw_anomalies a;

	if (tw_rules_run(&rec, &a) != 0) {
		printf("FAIL %s: rules failed\n", scenario);
		fails++;
	}
	return a;
}

/*
 * Judged as read, with the window pruned: 100,000 writes elsewhere after
 * the seed-000 history, then a stale read of it still names the store that
 * made what it had to see; in a block rewritten 1,600 times, what the first
 * rewrite wrote is stale, and data no one wrote is unknown data that may be
 * older than what the block kept.
 */
static void stream_scenario(void)
{
	struct tw_anomalies a;
	uint32_t crc[2];
	int64_t t = 100;
	int i, kinds = 0;

	scenario = "stream";
	tw_records_free(&rec);
	tw_records_init(&rec);
	stream = tw_rules_new(&rec, &a);
	history();
	for (i = 0; i < 100000; i++, t += 10) {
		crc[0] = 0x10000 + 2 * i;
		crc[1] = 0x10001 + 2 * i;
		call(t, 0, 30, "pwrite", TW_OP_WRITE, 65536 + (i % 64) * 1024, 1024, 0);
		pieces(t + 1, 30, TW_PIECE_DATA, 65536 + (i % 64) * 1024, 1024, crc, 2);
		call(t + 2, 1, 30, "pwrite", TW_OP_WRITE, 65536 + (i % 64) * 1024, 1024, 0);
	}
	read_at(t, t + 1, 20, OLD[0], OLD[1]);
	t += 10;
	call(t, 0, 20, "pread", TW_OP_READ, 65536, 1024, 0);
	crc[0] = 0x10000;
	crc[1] = 0x10001;
	pieces(t + 1, 20, TW_PIECE_DATA, 65536, 1024, crc, 2);
	call(t + 1, 1, 20, "pread", TW_OP_READ, 65536, 1024, 0);
	t += 10;
	call(t, 0, 20, "pread", TW_OP_READ, 65536 + 1024, 1024, 0);
	crc[0] = 0xdead;
	crc[1] = 0xbeef;
	pieces(t + 1, 20, TW_PIECE_DATA, 65536 + 1024, 1024, crc, 2);
	call(t + 1, 1, 20, "pread", TW_OP_READ, 65536 + 1024, 1024, 0);
	CHECK(rec.first > 0 && rec.nwin <= 3 * 32768);
	CHECK(tw_rules_end(stream) == 0);
	tw_rules_free(stream);
	stream = NULL;
	for (i = 0; i < (int)a.n; i++) {
		const struct tw_anomaly *x = &a.a[i];

		if (x->kind == TW_STALE_READ && x->ninter >= 2 &&
		    x->inter[0] < rec.first &&
		    tw_rec_find(&rec, x->inter[0])->op == TW_OP_STORE) {
			kinds |= 1;
		}
		if (x->kind == TW_STALE_READ && x->offset == 65536) {
			kinds |= 2;
		}
		if (x->kind == TW_UNKNOWN_DATA && x->history_cut &&
		    x->offset == 65536 + 1024) {
			kinds |= 4;
		}
	}
	CHECK(a.n == 3 && kinds == 7);
	CHECK(a.blocks_history_cut > 0 && a.blocks_live_cut == 0);
	tw_anomalies_free(&a);
}

/*
 * A read judged late: a call of another process stays open across it, and
 * when it returns, the writes that came since are settled at once, 40 of
 * them over the read's block (zeroed before), one of another shape. The version the read
 * had to see must survive their pruning (fsx on btrfs: a false
 * unknown_data, the reshape taken as if it came before the read).
 */
static void late_judge_scenario(void)
{
	static const uint32_t a[2] = { 0xa0, 0xa1 };
	struct tw_anomalies an;
	uint32_t c[2];
	int k;

	scenario = "read judged after a reshape came";
	tw_records_free(&rec);
	tw_records_init(&rec);
	stream = tw_rules_new(&rec, &an);
	call(5, 0, 10, "fallocate", TW_OP_ZERO, 0, 1024, 0);
	call(6, 1, 10, "fallocate", TW_OP_ZERO, 0, 1024, 0);
	call(10, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	pieces(19, 10, TW_PIECE_DATA, 0, 1024, a, 2);
	call(20, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
	call(25, 0, 30, "pwrite", TW_OP_WRITE, 8192, 512, 0);
	read_at(30, 31, 20, a[0], a[1]);
	for (k = 0; k < 40; k++) {
		uint64_t len = k == 30 ? 100 : 512;

		c[0] = 0x100 + (uint32_t)k;
		call(40 + 2 * k, 0, 10, "pwrite", TW_OP_WRITE, 0, len, 0);
		pieces(40 + 2 * k, 10, TW_PIECE_DATA, 0, len, c, 1);
		call(41 + 2 * k, 1, 10, "pwrite", TW_OP_WRITE, 0, len, 0);
	}
	call(500, 1, 30, "pwrite", TW_OP_WRITE, 8192, 512, 0);
	CHECK(tw_rules_end(stream) == 0);
	tw_rules_free(stream);
	stream = NULL;
	CHECK(an.n == 0 && an.reads_checked == 1);
	tw_anomalies_free(&an);
}

/*
 * ε between hosts from their clocks' NTP maximum errors: the sum, only when
 * every host is synchronized; a declared ε wins.
 */
static void clock_scenario(void)
{
	scenario = "clocks";
	tw_hosts.n = 2;
	CHECK(strcmp(tw_hosts_eps_source(), "none") == 0 && tw_hosts_eps(0, 1) == 0);
	tw_hosts_clock(0, TW_CLOCK_SYNCED, 1000);
	tw_hosts_clock(1, TW_CLOCK_SYNCED, 3000);
	tw_hosts_clock(1, TW_CLOCK_SYNCED, 2000);
	CHECK(strcmp(tw_hosts_eps_source(), "measured") == 0);
	CHECK(tw_hosts_eps(0, 1) == 4000000 && tw_hosts_eps(1, 1) == 0);
	tw_hosts_clock(0, TW_CLOCK_UNKNOWN, 0);
	CHECK(tw_hosts_eps(0, 1) == 4000000);
	tw_hosts.eps_ns = 500;
	CHECK(strcmp(tw_hosts_eps_source(), "declared") == 0 && tw_hosts_eps(0, 1) == 500);
	tw_hosts.eps_ns = -1;
	tw_hosts_clock(1, TW_CLOCK_UNSYNCED, 0);
	CHECK(strcmp(tw_hosts_eps_source(), "none") == 0 && tw_hosts_eps(0, 1) == 0);
	tw_hosts_free();
}

/* A zeroing call (punch: len > 0; truncation to off: len 0) on host h. */
static void cut_on(uint32_t h, int64_t t, const char *name, int64_t off,
		   uint64_t len)
{
	cur_host = h;
	call(t, 0, 30, name, TW_OP_ZERO, off, len, 0);
	call(t + 1, 1, 30, name, TW_OP_ZERO, off, len, 0);
	cur_host = 0;
}

/*
 * Host 1 punches or truncates what host 0 wrote (history: NEW visible at
 * 50); ε is 5. A read on host 0 begun more than ε after the call ended
 * had to see zeros; one within ε of it may show either side (concurrent).
 */
static void cross_cut_scenario(void)
{
	static const unsigned char nul[512];
	uint32_t z = tw_crc32c(0, nul, 512);
	struct tw_anomalies a;
	struct { const char *name; int64_t off; uint64_t len; } cuts[] = {
		{ "fallocate", 0, 1024 }, { "ftruncate", 0, 0 },
	};

	tw_hosts.n = 2;
	tw_hosts.eps_ns = 5;
	for (size_t k = 0; k < 2; k++) {
		scenario = "another host's cut, read beyond ε";
		history();
		cut_on(1, 60, cuts[k].name, cuts[k].off, cuts[k].len);
		read_at(70, 71, 20, NEW[0], NEW[1]);
		a = run();
		CHECK(a.n == 1 && a.a[0].kind == TW_STALE_READ &&
		      a.a[0].whost == 1 && a.a[0].model == 1 + TW_MODEL_POSIX);
		tw_anomalies_free(&a);

		scenario = "another host's cut, read within ε after";
		tw_hosts.cross_undecided = 0;
		history();
		cut_on(1, 60, cuts[k].name, cuts[k].off, cuts[k].len);
		read_at(64, 65, 20, NEW[0], NEW[1]);
		a = run();
		CHECK(a.n == 0 && tw_hosts.cross_undecided == 2);
		tw_anomalies_free(&a);

		/* Begun after the read on the merged clock, by less than ε. */
		scenario = "another host's cut, read within ε before";
		history();
		cut_on(1, 72, cuts[k].name, cuts[k].off, cuts[k].len);
		read_at(70, 71, 20, z, z);
		a = run();
		CHECK(a.n == 0);
		tw_anomalies_free(&a);

		scenario = "another host's cut within ε of the write";
		history();
		cut_on(1, 48, cuts[k].name, cuts[k].off, cuts[k].len);
		read_at(70, 71, 20, z, z);
		a = run();
		CHECK(a.n == 0);
		tw_anomalies_free(&a);

		scenario = "another host's cut, ε 0: after the read";
		tw_hosts.eps_ns = 0;
		history();
		cut_on(1, 72, cuts[k].name, cuts[k].off, cuts[k].len);
		read_at(70, 71, 20, z, z);
		a = run();
		CHECK(a.n == 1 && a.a[0].kind == TW_UNKNOWN_DATA);
		tw_anomalies_free(&a);
		tw_hosts.eps_ns = 5;
	}

	/*
	 * Host 1 writes X at 52..53, host 0 Y at 54..55: within ε of each
	 * other they land in either order, and a read showing X is not stale;
	 * with ε 0 Y came last.
	 */
	for (int64_t eps = 5; eps >= 0; eps -= 5) {
		static const uint32_t X[2] = { 0xc0, 0xc1 }, Y[2] = { 0xd0, 0xd1 };

		scenario = eps ? "two hosts' writes within ε" : "two hosts' writes, ε 0";
		tw_hosts.eps_ns = eps;
		history();
		cur_host = 1;
		call(52, 0, 30, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		pieces(53, 30, TW_PIECE_DATA, 0, 1024, X, 2);
		call(53, 1, 30, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		cur_host = 0;
		call(54, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		pieces(55, 10, TW_PIECE_DATA, 0, 1024, Y, 2);
		call(55, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		read_at(70, 71, 20, X[0], X[1]);
		a = run();
		CHECK(eps ? a.n == 0 : a.n == 1 && a.a[0].kind == TW_STALE_READ);
		tw_anomalies_free(&a);
	}
	tw_hosts.eps_ns = 5;

	/* A read of nothing at 0: short unless a truncation may have come first. */
	for (int64_t t = 60; t <= 72; t += 12) {
		struct tw_event b = { .type = TW_EV_CALL_BEGIN, .ts = 70,
				      .pid = 102, .tid = 20, .op = TW_OP_READ,
				      .offset = 0, .length = 1024, .cid = 998,
				      .fn = tw_fn_of("pread") };
		struct tw_event e = b;

		scenario = t == 72 ? "short read, another host's truncation within ε" :
				     "short read, another host's truncation before";
		history();
		e.type = TW_EV_CALL_END;
		e.ts = 71;
		e.ret = 0;
		feed(&b);
		feed(&e);
		/* Before: grown to 4096, required; within ε: cut to 0, maybe first. */
		cut_on(1, t, "ftruncate", t == 72 ? 0 : 4096, 0);
		a = run();
		CHECK(t == 72 ? a.n == 0 : a.n == 1 && a.a[0].kind == TW_SHORT_READ);
		tw_anomalies_free(&a);
	}
	tw_hosts_free();
}

int main(void)
{
	struct tw_anomalies a;

	scenario = "torn";
	history();
	read_at(60, 61, 20, NEW[0], OLD[1]);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_TORN_READ);
	CHECK(a.n == 1 && a.a[0].npages == 2 && a.a[0].pages[0].state == TW_S_NEW &&
	      a.a[0].pages[1].state == TW_S_OLD && a.a[0].pages[1].offset == 512);
	/* store, msync, read: the calls that made and missed the version. */
	CHECK(a.n == 1 && a.a[0].ninter >= 3 &&
	      tw_rec_find(&rec, a.a[0].inter[0])->op == TW_OP_STORE &&
	      tw_rec_find(&rec, a.a[0].inter[a.a[0].ninter - 1])->op == TW_OP_READ);
	CHECK(a.n == 1 && !a.a[0].uncertain);
	tw_anomalies_free(&a);

	scenario = "stale";
	history();
	read_at(60, 61, 20, OLD[0], OLD[1]);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_STALE_READ);
	tw_anomalies_free(&a);

	scenario = "unknown";
	history();
	read_at(60, 61, 20, NEW[0], 0xdead);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_UNKNOWN_DATA);
	tw_anomalies_free(&a);

	scenario = "healthy";
	history();
	read_at(60, 61, 20, NEW[0], NEW[1]);
	a = run();
	CHECK(a.n == 0 && a.reads_checked == 1);
	tw_anomalies_free(&a);

	/* A read that began while msync ran may see either version. */
	scenario = "overlapping read";
	history();
	read_at(45, 55, 20, OLD[0], OLD[1]);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	/* Before the msync the store was not required to be visible. */
	scenario = "read before msync";
	history();
	read_at(35, 36, 20, OLD[0], OLD[1]);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	scenario = "sync race";
	history();
	call(42, 0, 30, "memcpy", TW_OP_STORE, 512, 16, 0);
	call(43, 1, 30, "memcpy", TW_OP_STORE, 512, 16, 0);
	a = run();
	/* The racing store, the store whose bytes were being synced, the msync. */
	CHECK(a.n == 1 && a.a[0].kind == TW_SYNC_RACE && a.a[0].ninter == 3);
	CHECK(a.n == 1 && a.a[0].npages == 1 && a.a[0].pages[0].offset == 512 &&
	      a.a[0].pages[0].length == 16);
	tw_anomalies_free(&a);

	/* Two stores over the same bytes before the msync: each byte counted once. */
	scenario = "sync race over bytes stored twice";
	tw_records_free(&rec);
	tw_records_init(&rec);
	for (int k = 0; k < 2; k++) {
		call(30 + 2 * k, 0, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
		pieces(30 + 2 * k, 10, TW_PIECE_OLD, 0, 1024, OLD, 2);
		pieces(31 + 2 * k, 10, TW_PIECE_DATA, 0, 1024, NEW, 2);
		call(31 + 2 * k, 1, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
	}
	msync_page0();
	call(42, 0, 30, "memcpy", TW_OP_STORE, 512, 16, 0);
	call(43, 1, 30, "memcpy", TW_OP_STORE, 512, 16, 0);
	a = run();
	CHECK(a.n == 1 && a.a[0].kind == TW_SYNC_RACE && a.a[0].npages == 1 &&
	      a.a[0].pages[0].length == 16 && a.a[0].bytes[TW_S_CHANGED] == 16 &&
	      a.a[0].length == 16);
	tw_anomalies_free(&a);

	/* doio -n 2: another process stores next to the synced bytes, same page. */
	scenario = "neighbour in the same page";
	history();
	call(42, 0, 30, "memcpy", TW_OP_STORE, 2048, 16, 0);
	call(43, 1, 30, "memcpy", TW_OP_STORE, 2048, 16, 0);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	/* Another process storing into a page this msync was not writing back. */
	scenario = "store elsewhere during msync";
	history();
	call(42, 0, 30, "memcpy", TW_OP_STORE, 8192, 16, 0);
	call(43, 1, 30, "memcpy", TW_OP_STORE, 8192, 16, 0);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	/*
	 * rwtest with several processes: another process's msync (35..60)
	 * runs while the storing process syncs its own store (40..50) and
	 * then stores over it again (55): nothing depended on the other msync.
	 */
	scenario = "store over bytes its own msync wrote back";
	tw_records_free(&rec);
	tw_records_init(&rec);
	call(30, 0, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
	pieces(30, 10, TW_PIECE_OLD, 0, 1024, OLD, 2);
	pieces(31, 10, TW_PIECE_DATA, 0, 1024, NEW, 2);
	call(31, 1, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
	call(35, 0, 30, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
	call(40, 0, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
	call(50, 1, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
	call(55, 0, 10, "memcpy", TW_OP_STORE, 0, 16, 0);
	call(56, 1, 10, "memcpy", TW_OP_STORE, 0, 16, 0);
	call(60, 1, 30, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	/* A page changed under the msync: by a store no hook saw, or by a write(). */
	{
		static const uint32_t later[8] = { 0xee, 0xb1, 0, 0, 0, 0, 0, 0 };
		static const uint64_t pg0 = 0;
		static const uint32_t w[1] = { 0xee };
		struct tw_event sp = {
			.type = TW_EV_SYNC_PAGES, .ts = 49, .pid = 101, .tid = 10,
			.phase = 1, .page = &pg0, .npage = 1, .crc = later, .ncrc = 8,
		};
		int with_write;

		for (with_write = 0; with_write < 2; with_write++) {
			scenario = with_write ? "page changed by a write during msync" :
						"page changed unseen during msync";
			tw_records_free(&rec);
			tw_records_init(&rec);
			call(30, 0, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
			pieces(30, 10, TW_PIECE_OLD, 0, 1024, OLD, 2);
			pieces(31, 10, TW_PIECE_DATA, 0, 1024, NEW, 2);
			call(31, 1, 10, "memcpy", TW_OP_STORE, 0, 1024, 0);
			call(40, 0, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
			{
				static const uint32_t page[8] = { 0xb0, 0xb1 };
				struct tw_event p0 = sp;

				p0.ts = 41;
				p0.phase = 0;
				p0.crc = page;
				feed(&p0);
			}
			if (with_write) {
				call(44, 0, 20, "pwrite", TW_OP_WRITE, 0, 512, 0);
				pieces(45, 20, TW_PIECE_DATA, 0, 512, w, 1);
				call(45, 1, 20, "pwrite", TW_OP_WRITE, 0, 512, 0);
			}
			feed(&sp);
			call(50, 1, 10, "msync", TW_OP_MSYNC, 0, 4096, MS_SYNC);
			a = run();
			CHECK(with_write ? a.n == 0 :
			      a.n == 1 && a.a[0].kind == TW_SYNC_RACE && a.a[0].untracked);
			tw_anomalies_free(&a);
		}
	}

	/* ftruncate(0) at 52..53 after the sync: the bytes read as zeros now. */
	{
		uint32_t z = 0, zeros[2];
		static const unsigned char nul[512];

		(void)z;
		zeros[0] = zeros[1] = tw_crc32c(0, nul, 512);

		scenario = "zeros after truncate";
		history();
		call(52, 0, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		call(53, 1, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		read_at(60, 61, 20, zeros[0], zeros[1]);
		a = run();
		CHECK(a.n == 0);
		tw_anomalies_free(&a);

		scenario = "data after truncate";
		history();
		call(52, 0, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		call(53, 1, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		read_at(60, 61, 20, NEW[0], NEW[1]);
		a = run();
		CHECK(a.n == 1 && a.a[0].kind == TW_STALE_READ);
		tw_anomalies_free(&a);

		/*
		 * Truncation to 0 makes the bytes absent, the write makes them
		 * data: zeros there were never visible (a lost write's zero-fill).
		 */
		scenario = "zeros after a write after truncate";
		history();
		call(52, 0, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		call(53, 1, 10, "ftruncate", TW_OP_ZERO, 0, 0, 0);
		call(54, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		pieces(55, 10, TW_PIECE_DATA, 0, 1024, OLD, 2);
		call(55, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		read_at(60, 61, 20, OLD[0], zeros[1]);
		a = run();
		CHECK(a.n == 1 && a.a[0].kind == TW_UNKNOWN_DATA);
		tw_anomalies_free(&a);

		/* A punch running while the read ran: zeros or not, either. */
		scenario = "zeros while a punch ran";
		history();
		call(60, 0, 20, "read", TW_OP_READ, -1, 1024, 0);
		call(61, 0, 30, "fallocate", TW_OP_ZERO, 0, 1024, 0);
		call(62, 1, 30, "fallocate", TW_OP_ZERO, 0, 1024, 0);
		pieces(64, 20, TW_PIECE_DATA, 0, 1024, zeros, 2);
		call(64, 1, 20, "read", TW_OP_READ, 0, 1024, 0);
		a = run();
		CHECK(a.n == 0);
		tw_anomalies_free(&a);

		/* Zeros a grown file showed before the write are old. */
		scenario = "zeros after a write after growth";
		history();
		call(52, 0, 10, "ftruncate", TW_OP_ZERO, 0, 1024, 0);
		call(53, 1, 10, "ftruncate", TW_OP_ZERO, 0, 1024, 0);
		call(54, 0, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		pieces(55, 10, TW_PIECE_DATA, 0, 1024, OLD, 2);
		call(55, 1, 10, "pwrite", TW_OP_WRITE, 0, 1024, 0);
		read_at(60, 61, 20, OLD[0], zeros[1]);
		a = run();
		CHECK(a.n == 1 && a.a[0].kind == TW_TORN_READ);
		tw_anomalies_free(&a);
	}

	/* copy_file_range wrote data no one traced: anything may be read. */
	scenario = "unseen data";
	history();
	{
		struct tw_event b = { .type = TW_EV_CALL_BEGIN, .ts = 52, .pid = 101,
				      .tid = 10, .op = TW_OP_OPAQUE, .offset = 0,
				      .length = 1024, .cid = 999,
				      .fn = tw_fn_of("copy_file_range") };
		struct tw_event e = b;

		e.type = TW_EV_CALL_END;
		e.ts = 53;
		e.ret = 1024;
		feed(&b);
		feed(&e);
	}
	read_at(60, 61, 20, 0x1234, 0x5678);
	a = run();
	CHECK(a.n == 0);
	tw_anomalies_free(&a);

	scenario = "lost events";
	history();
	{
		struct tw_event lost = { .type = TW_EV_DISCARDED, .ts = 55,
					 .count = 7 };

		feed(&lost);
	}
	read_at(60, 61, 20, NEW[0], OLD[1]);
	a = run();
	CHECK(a.n == 1 && a.a[0].uncertain && rec.lost_events == 7);
	tw_anomalies_free(&a);

	async_scenarios();
	lifetime_scenarios();
	stream_scenario();
	late_judge_scenario();
	clock_scenario();
	cross_cut_scenario();
	tw_records_free(&rec);
	if (fails) {
		return 1;
	}
	printf("model: all scenarios pass\n");
	return 0;
}
