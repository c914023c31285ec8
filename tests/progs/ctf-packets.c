/* SPDX-License-Identifier: MIT */
/*
 * Lists or removes the packets of an LTTng-UST 64-bit CTF stream file, as a
 * lost packet would leave the trace: the packet's bytes are cut out of the
 * stream file and its entry out of index/NAME.idx, later offsets moved back.
 *
 *   ctf-packets list STREAM      one line a packet: number, byte offset,
 *                                bytes, seq num, begin, end, events
 *                                discarded, cpu
 *   ctf-packets cut STREAM N...  removes packets N... (numbers from list)
 *
 * The layout is lttng-ust's, which the test checks in the metadata first:
 * packet header { u32 magic, u8 uuid[16], u32 stream_id, u64 instance },
 * context { u64 timestamp_begin, timestamp_end, content_size, packet_size,
 * packet_seq_num, events_discarded, u32 cpu_id }, little-endian, no padding.
 * An index holds big-endian u64 entries: offset, packet_size, content_size,
 * timestamp_begin, timestamp_end, events_discarded, ... (lttng ctf-index.h).
 *
 * Exit 0, or 2 with a message on a malformed file or a system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTF_MAGIC 0xc1fc1fc1u
#define IDX_MAGIC 0xc1f1dcc1u
#define CTX_OFF 32		/* the packet context, after the header */
#define CTX_END 84

struct packet {
	size_t off;
	size_t len;
	uint64_t seq, begin, end, discarded;
	uint32_t cpu;
	int cut;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "ctf-packets: %s: %s\n", what, why);
	exit(2);
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--) {
		v = v << 8 | p[n];
	}
	return v;
}

static uint64_t be(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static void put_be(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static unsigned char *slurp(const char *path, size_t *len, int must)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f) {
		if (!must && errno == ENOENT) {
			return NULL;
		}
		die(path, strerror(errno));
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		die(path, strerror(errno));
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		die(path, "cannot read");
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		die(path, strerror(errno));
	}
}

/* Walks the stream file packet by packet, by each context's packet_size. */
static size_t walk(const char *path, const unsigned char *buf, size_t len,
		   struct packet **out)
{
	struct packet *p = NULL;
	size_t n = 0, off = 0;

	while (off < len) {
		const unsigned char *h = buf + off;
		uint64_t bits;

		if (len - off < CTX_END || le(h, 4) != CTF_MAGIC) {
			die(path, "not an lttng-ust CTF packet");
		}
		bits = le(h + CTX_OFF + 24, 8);
		if (bits % 8 || bits / 8 < CTX_END || bits / 8 > len - off) {
			die(path, "packet size out of the file");
		}
		p = realloc(p, (n + 1) * sizeof(*p));
		if (!p) {
			die(path, "out of memory");
		}
		p[n] = (struct packet){
			.off = off, .len = bits / 8,
			.begin = le(h + CTX_OFF, 8), .end = le(h + CTX_OFF + 8, 8),
			.seq = le(h + CTX_OFF + 32, 8),
			.discarded = le(h + CTX_OFF + 40, 8),
			.cpu = (uint32_t)le(h + CTX_OFF + 48, 4),
		};
		off += p[n++].len;
	}
	*out = p;
	return n;
}

/* The index entries of the packets kept, their offsets moved back. */
static void cut_index(const char *stream, const struct packet *p, size_t n)
{
	char *copy = strdup(stream), *copy2 = strdup(stream), *idx;
	unsigned char *buf;
	size_t len, hdr = 16, elen, w, moved = 0;

	if (!copy || !copy2 ||
	    asprintf(&idx, "%s/index/%s.idx", dirname(copy), basename(copy2)) < 0) {
		die(stream, "out of memory");
	}
	buf = slurp(idx, &len, 0);
	if (!buf) {
		return;
	}
	elen = len >= hdr ? (size_t)(buf[12] << 24 | buf[13] << 16 |
				     buf[14] << 8 | buf[15]) : 0;
	if (len < hdr || (uint32_t)(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 |
				    buf[3]) != IDX_MAGIC ||
	    elen < 48 || (len - hdr) / elen != n || (len - hdr) % elen) {
		die(idx, "index does not match the stream file");
	}
	w = hdr;
	for (size_t i = 0; i < n; i++) {
		unsigned char *e = buf + hdr + i * elen;

		if (be(e) != p[i].off) {
			die(idx, "index offset does not match the stream file");
		}
		if (p[i].cut) {
			moved += p[i].len;
			continue;
		}
		put_be(e, p[i].off - moved);
		memmove(buf + w, e, elen);
		w += elen;
	}
	spill(idx, buf, w);
	free(buf);
	free(idx);
	free(copy);
	free(copy2);
}

int main(int argc, char **argv)
{
	struct packet *p;
	unsigned char *buf;
	size_t len, n, w = 0;

	if (argc < 3 || (strcmp(argv[1], "list") && strcmp(argv[1], "cut"))) {
		fprintf(stderr, "usage: ctf-packets list|cut STREAM [N...]\n");
		return 2;
	}
	buf = slurp(argv[2], &len, 1);
	n = walk(argv[2], buf, len, &p);
	if (!strcmp(argv[1], "list")) {
		for (size_t i = 0; i < n; i++) {
			printf("%zu %zu %zu %llu %llu %llu %llu %u\n", i, p[i].off,
			       p[i].len, (unsigned long long)p[i].seq,
			       (unsigned long long)p[i].begin,
			       (unsigned long long)p[i].end,
			       (unsigned long long)p[i].discarded, p[i].cpu);
		}
		return 0;
	}
	for (int a = 3; a < argc; a++) {
		char *end;
		unsigned long k = strtoul(argv[a], &end, 10);

		if (*end || k >= n) {
			die(argv[a], "no such packet");
		}
		p[k].cut = 1;
	}
	cut_index(argv[2], p, n);
	for (size_t i = 0; i < n; i++) {
		if (!p[i].cut) {
			memmove(buf + w, buf + p[i].off, p[i].len);
			w += p[i].len;
		}
	}
	spill(argv[2], buf, w);
	free(buf);
	free(p);
	return 0;
}
