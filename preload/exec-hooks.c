/* SPDX-License-Identifier: MIT */
/*
 * exec and spawn: a runner that hands its children a fixed list of
 * variables (env -i, LTP's kirk) drops LD_PRELOAD and the LTTng variables,
 * and the command it runs would go untraced while the report says
 * "0 anomalies". The hooks put back what the environment had at start,
 * unless TORNWATCH_FOLLOW_EXEC=0, and say which execs needed it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core.h"
#include "options.h"
#include "emit.h"
#include "pieces.h"

extern char **environ;

#define TW_SAVED_MAX 32
#define TW_SAVED_BYTES 8192
#define TW_LIB_MAX 4096
/* On the stack of the hook: pointers of the new environment, its LD_PRELOAD. */
#define TW_ENV_STACK 256
#define TW_PRELOAD_STACK 4096

/*
 * Copied at start: the program may overwrite the strings of its initial
 * environment (setproctitle) or unset them before it execs.
 */
static char tw_saved_buf[TW_SAVED_BYTES];
static const char *tw_saved[TW_SAVED_MAX];
static size_t tw_nsaved;
static char tw_lib[TW_LIB_MAX];
static int tw_follow;

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The length of "NAME=" in an entry, 0 when it has no '='. */
static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) + 1 : 0;
}

static int env_has(char *const envp[], const char *entry)
{
	size_t n = name_len(entry), i;

	for (i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], entry, n) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Runs in the constructor, before any hook can exec. */
void tw_exec_init(void)
{
	const char *v = getenv("LD_PRELOAD");
	size_t used = 0, i, len;
	Dl_info info;

	if (!v || !strstr(v, "libtornwatch") ||
	    !dladdr((void *)tw_exec_init, &info) || !info.dli_fname ||
	    strlen(info.dli_fname) >= sizeof(tw_lib)) {
		return;
	}
	len = strlen(info.dli_fname);
	tw_boot_copy(tw_lib, info.dli_fname, len + 1);
	for (i = 0; environ && environ[i] && tw_nsaved < TW_SAVED_MAX; i++) {
		if (!has_prefix(environ[i], "LTTNG_") &&
		    !has_prefix(environ[i], "TORNWATCH_")) {
			continue;
		}
		len = strlen(environ[i]) + 1;
		if (!name_len(environ[i]) || used + len > sizeof(tw_saved_buf)) {
			continue;
		}
		tw_boot_copy(tw_saved_buf + used, environ[i], len);
		tw_saved[tw_nsaved++] = tw_saved_buf + used;
		used += len;
	}
	tw_options_init();
	tw_follow = tw_opts.follow_exec;
}

/*
 * envp and the path are the program's pointers, not yet accepted by the
 * kernel: read through it, so a bad one gets the exec's own EFAULT instead
 * of a SIGSEGV in the hook. getpid asked of the kernel: after vfork the
 * cached pid is the parent's.
 */
static int peek(void *dst, const void *src, size_t n)
{
	return tw_safe_copy_as((int32_t)syscall(SYS_getpid), dst, src, n) == 0;
}

/* A string ends before MAX_ARG_STRLEN in readable memory. */
static int readable_str(const char *s)
{
	char chunk[256];
	size_t off = 0, take, i;

	while (off < 32 * 4096) {
		take = 4096 - (((uintptr_t)s + off) & 4095);
		take = take < sizeof(chunk) ? take : sizeof(chunk);
		if (!peek(chunk, s + off, take)) {
			return 0;
		}
		for (i = 0; i < take; i++) {
			if (chunk[i] == '\0') {
				return 1;
			}
		}
		off += take;
	}
	return 0;
}

/* Every pointer and string of envp can be read; NULL is an empty one. */
static int readable_env(char *const envp[])
{
	const char *p;
	size_t i;

	for (i = 0; envp && i < (1u << 20); i++) {
		if (!peek(&p, &envp[i], sizeof(p))) {
			return 0;
		}
		if (!p) {
			return 1;
		}
		if (!readable_str(p)) {
			return 0;
		}
	}
	return envp == NULL;
}

static const char *safe_path(const char *path)
{
	return path && readable_str(path) ? path : "";
}

struct tw_newenv {
	char **envp;		/* NULL: pass the program's own */
	void *map;		/* when the stack was too small */
	size_t maplen;
	int how;		/* enum tw_exec_env */
};

/*
 * No malloc: after vfork the child shares the parent's heap and its
 * locks. The stack buffers cover any sane environment; a larger one takes
 * an anonymous mapping (after vfork it stays in the parent: a rare leak).
 */
static void env_fix(struct tw_newenv *e, char *const envp[], char **stack,
		    char *pre)
{
	const char *ldp = NULL;
	size_t n, i, k = 0, nmiss = 0, need, plen = 0, liblen, ldlen = 0;
	char **out;
	char *p;

	e->envp = NULL;
	e->map = NULL;
	e->how = TW_EXEC_ENV_KEPT;
	if (!tw_lib[0] || !readable_env(envp)) {
		return;
	}
	for (n = 0; envp && envp[n]; n++) {
		if (has_prefix(envp[n], "LD_PRELOAD=")) {
			ldp = envp[n] + 11;
		}
	}
	for (i = 0; i < tw_nsaved; i++) {
		nmiss += !env_has(envp, tw_saved[i]);
	}
	if (ldp && strstr(ldp, "libtornwatch")) {
		ldp = NULL;
		if (nmiss == 0) {
			return;
		}
	} else {
		e->how = TW_EXEC_ENV_RESTORED;
		liblen = strlen(tw_lib);
		ldlen = ldp ? strlen(ldp) : 0;
		plen = 11 + liblen + 1 + ldlen + 1;
	}
	if (!tw_follow) {
		if (e->how == TW_EXEC_ENV_RESTORED) {
			e->how = TW_EXEC_ENV_DROPPED;
		}
		return;
	}
	need = n + nmiss + 2;
	if (need <= TW_ENV_STACK && plen <= TW_PRELOAD_STACK) {
		out = stack;
		p = pre;
	} else {
		void *m;

		e->maplen = (need * sizeof(char *) + plen + 4095) & ~(size_t)4095;
		m = TW_REAL(mmap) ? tw_real_mmap(NULL, e->maplen,
						 PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS,
						 -1, 0) : MAP_FAILED;
		if (m == MAP_FAILED) {
			e->how = TW_EXEC_ENV_DROPPED;
			return;
		}
		e->map = m;
		out = m;
		p = (char *)m + need * sizeof(char *);
	}
	if (plen) {
		/* Ours first, as run put it: it must see what lower preloads return. */
		tw_boot_copy(p, "LD_PRELOAD=", 11);
		tw_boot_copy(p + 11, tw_lib, liblen);
		plen = 11 + liblen;
		if (ldlen) {
			p[plen++] = ':';
			tw_boot_copy(p + plen, ldp, ldlen);
			plen += ldlen;
		}
		p[plen] = '\0';
		out[k++] = p;
	}
	for (i = 0; i < n; i++) {
		if (!(ldp && envp[i] == ldp - 11)) {
			out[k++] = envp[i];
		}
	}
	for (i = 0; i < tw_nsaved; i++) {
		if (!env_has(envp, tw_saved[i])) {
			out[k++] = (char *)tw_saved[i];
		}
	}
	out[k] = NULL;
	e->envp = out;
}

static void env_done(struct tw_newenv *e)
{
	if (e->map && TW_REAL(munmap)) {
		tw_real_munmap(e->map, e->maplen);
	}
}

/*
 * pid and tid asked of the kernel: after vfork the cached ones are the
 * parent's.
 */
static void emit_exec(int32_t child, int how, int err, const char *path)
{
	int32_t pid = (int32_t)syscall(SYS_getpid);
	struct tw_exec x = {
		.pid = pid,
		.tid = (int32_t)syscall(SYS_gettid),
		.ppid = (int32_t)syscall(SYS_getppid),
		.child = child ? child : pid,
		.restored = how,
		.err = err,
		.path = path ? path : "",
	};

	tw_emit_exec(&x);
}

enum tw_exec_kind { TW_EXECVE, TW_EXECVPE, TW_FEXECVE };

/*
 * The guard is left before the real call: a successful exec never
 * returns, and after vfork the child's TLS is its parent's, which would
 * stay at depth 1 and never be traced again.
 */
static int exec_common(enum tw_exec_kind kind, const char *file, int fd,
		       char *const argv[], char *const envp[],
		       const void *caller)
{
	char *stack[TW_ENV_STACK];
	char pre[TW_PRELOAD_STACK];
	struct tw_newenv e;
	char *const *use;
	int watch, ret, saved;

	watch = tw_watch(caller);
	env_fix(&e, envp, stack, pre);
	use = e.envp ? e.envp : envp;
	if (watch) {
		emit_exec(0, e.how, 0,
			  kind == TW_FEXECVE ? "fexecve" : safe_path(file));
	}
	tw_leave();
	switch (kind) {
	case TW_EXECVE:
		ret = TW_REAL(execve) ? tw_real_execve(file, argv, use) : -2;
		break;
	case TW_EXECVPE:
		ret = TW_REAL(execvpe) ? tw_real_execvpe(file, argv, use) : -2;
		break;
	default:
		ret = TW_REAL(fexecve) ? tw_real_fexecve(fd, argv, use) : -2;
		break;
	}
	if (ret == -2) {
		ret = -1;
		errno = ENOSYS;
	}
	saved = errno;
	if (tw_enter() && tw_active && watch) {
		emit_exec(0, e.how, saved,
			  kind == TW_FEXECVE ? "fexecve" : safe_path(file));
	}
	tw_leave();
	env_done(&e);
	errno = saved;
	return ret;
}

TW_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_common(TW_EXECVE, path, -1, argv, envp, TW_CALLER());
}

TW_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return exec_common(TW_EXECVPE, file, -1, argv, envp, TW_CALLER());
}

TW_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	return exec_common(TW_FEXECVE, NULL, fd, argv, envp, TW_CALLER());
}

/* glibc's execv, execvp and execl* call its internal execve: no hook sees them. */
TW_EXPORT int execv(const char *path, char *const argv[])
{
	return exec_common(TW_EXECVE, path, -1, argv, environ, TW_CALLER());
}

TW_EXPORT int execvp(const char *file, char *const argv[])
{
	return exec_common(TW_EXECVPE, file, -1, argv, environ, TW_CALLER());
}

/* Counts the arguments after arg up to the NULL. */
static size_t count_args(const char *arg, va_list ap)
{
	size_t n = 0;

	if (!arg) {
		return 0;
	}
	for (n = 1; va_arg(ap, char *); n++) {
	}
	return n;
}

#define TW_EXECL_ARGV(argv, n, arg, ap)					\
	do {								\
		size_t _i;						\
		(argv)[0] = (char *)(arg);				\
		for (_i = 1; _i < (n); _i++) {				\
			(argv)[_i] = va_arg(ap, char *);		\
		}							\
		(argv)[n] = NULL;					\
	} while (0)

/* execl and execlp: the list becomes an argv on the stack, environ passed on. */
#define TW_EXECL_HOOK(name, kind)						\
TW_EXPORT int name(const char *file, const char *arg, ...)			\
{										\
	const void *caller = TW_CALLER();					\
	va_list ap;								\
	size_t n;								\
										\
	va_start(ap, arg);							\
	n = count_args(arg, ap);						\
	va_end(ap);								\
	{									\
		char *argv[n + 1];						\
										\
		va_start(ap, arg);						\
		TW_EXECL_ARGV(argv, n, arg, ap);				\
		va_end(ap);							\
		return exec_common(kind, file, -1, argv, environ, caller);	\
	}									\
}

TW_EXECL_HOOK(execl, TW_EXECVE)
TW_EXECL_HOOK(execlp, TW_EXECVPE)

TW_EXPORT int execle(const char *path, const char *arg, ...)
{
	const void *caller = TW_CALLER();
	char *const *envp;
	va_list ap;
	size_t n;

	va_start(ap, arg);
	n = count_args(arg, ap);
	va_end(ap);
	{
		char *argv[n + 1];

		va_start(ap, arg);
		TW_EXECL_ARGV(argv, n, arg, ap);
		if (n) {
			/* The NULL that ends the arguments, then envp. */
			(void)va_arg(ap, char *);
		}
		envp = va_arg(ap, char *const *);
		va_end(ap);
		return exec_common(TW_EXECVE, path, -1, argv, envp, caller);
	}
}

/*
 * posix_spawn returns in the parent once the child exec'd or failed
 * (glibc's CLONE_VFORK): the event names the child by its pid, after.
 */
static int spawn_common(int search, pid_t *pid, const char *file,
			const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[],
			char *const envp[], const void *caller)
{
	char *stack[TW_ENV_STACK];
	char pre[TW_PRELOAD_STACK];
	int (*real)(pid_t *, const char *, const posix_spawn_file_actions_t *,
		    const posix_spawnattr_t *, char *const[], char *const[]);
	struct tw_newenv e;
	int watch, ret, saved;

	real = search ? (void *)TW_REAL(posix_spawnp) : (void *)TW_REAL(posix_spawn);
	if (!real) {
		return ENOSYS;
	}
	watch = tw_watch(caller);
	env_fix(&e, envp, stack, pre);
	ret = real(pid, file, fa, attr, argv, e.envp ? e.envp : envp);
	saved = errno;
	if (watch && pid) {
		emit_exec(ret == 0 ? *pid : -1, e.how, ret, safe_path(file));
	}
	env_done(&e);
	tw_leave();
	errno = saved;
	return ret;
}

TW_EXPORT int posix_spawn(pid_t *pid, const char *path,
			  const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[],
			  char *const envp[])
{
	return spawn_common(0, pid, path, fa, attr, argv, envp, TW_CALLER());
}

TW_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			   const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[],
			   char *const envp[])
{
	return spawn_common(1, pid, file, fa, attr, argv, envp, TW_CALLER());
}
