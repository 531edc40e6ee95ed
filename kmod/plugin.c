// SPDX-License-Identifier: GPL-2.0
/*
 * The plugin registry and the plugins of the current session: their
 * translation callbacks, behind the translator's instrumentation hooks
 * (kmod/jit/translate.h), and the insertion functions of jifl_plugin.h
 * that wrap the translator's, so that plugins never see its internals.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "jifl.h"
#include "jifl_plugin.h"

static DEFINE_MUTEX(jifl_registry_lock);
static LIST_HEAD(jifl_registry);

/* The session's plugins; changed only while no task is in the cache */
struct jifl_instance {
	struct jifl_plugin *p;
	void *priv;
};

static struct jifl_instance jifl_inst[JIFL_PLUGINS_MAX];
static unsigned int jifl_nr_inst;
static bool jifl_inst_has_enter, jifl_inst_has_leave;

/* jifl_insert_store_byte(JIFL_STORE_ONCE) stores to remove once run */
#define JIFL_ONCE_MAX	JIFL_PLUGIN_MAX_BLOCKS
struct jifl_once {
	u64 pc;		/* cache address of the "jmp .+2" before the store */
	u8 *byte;	/* NULL once removed or found stale */
};
static struct jifl_once *jifl_once;
static u64 jifl_once_removed;
static unsigned int jifl_nr_once;	/* appended under the dispatch lock */

struct jifl_xlate {
	struct jit_translator *t;
	const struct jit_block *blk;
	const struct jit_insn *insn;	/* NULL at block entry */
};

static bool valid_name(const char *name)
{
	size_t n = strnlen(name, JIFL_PLUGIN_NAME_MAX);

	if (!n || n >= JIFL_PLUGIN_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!islower(*name) && !isdigit(*name) && *name != '_')
			return false;
	return true;
}

static struct jifl_plugin *find_plugin_locked(const char *name)
{
	struct jifl_plugin *p;

	list_for_each_entry(p, &jifl_registry, list)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int jifl_register_plugin(struct jifl_plugin *p)
{
	int ret = 0;

	if (!p || !p->name || !valid_name(p->name) ||
	    p->api_version != JIFL_PLUGIN_API_VERSION)
		return -EINVAL;
	mutex_lock(&jifl_registry_lock);
	if (find_plugin_locked(p->name))
		ret = -EEXIST;
	else
		list_add_tail(&p->list, &jifl_registry);
	mutex_unlock(&jifl_registry_lock);
	if (!ret)
		pr_debug("plugin %s registered\n", p->name);
	return ret;
}
EXPORT_SYMBOL_GPL(jifl_register_plugin);

void jifl_unregister_plugin(struct jifl_plugin *p)
{
	mutex_lock(&jifl_registry_lock);
	list_del_init(&p->list);
	mutex_unlock(&jifl_registry_lock);
}
EXPORT_SYMBOL_GPL(jifl_unregister_plugin);

/**
 * jifl_plugins_list() - names of the registered plugins, NUL-terminated
 * @ubuf:	user buffer
 * @len:	in: its size; out: bytes written
 *
 * Return: 0, -ENOSPC or -EFAULT.
 */
int jifl_plugins_list(void __user *ubuf, u64 *len)
{
	char *buf, *p;
	struct jifl_plugin *pl;
	size_t n = 0;
	int ret = 0;

	mutex_lock(&jifl_registry_lock);
	list_for_each_entry(pl, &jifl_registry, list)
		n += strlen(pl->name) + 1;
	buf = kmalloc(n ?: 1, GFP_KERNEL);
	if (!buf) {
		mutex_unlock(&jifl_registry_lock);
		return -ENOMEM;
	}
	p = buf;
	list_for_each_entry(pl, &jifl_registry, list)
		p += sprintf(p, "%s", pl->name) + 1;
	mutex_unlock(&jifl_registry_lock);
	if (n > *len)
		ret = -ENOSPC;
	else if (copy_to_user(ubuf, buf, n))
		ret = -EFAULT;
	*len = n;
	kfree(buf);
	return ret;
}

/* --- translation hooks: fan out to the session's plugins --- */

#define FOR_EACH_HOOK(hook, x)						\
	do {								\
		unsigned int i_;					\
		for (i_ = 0; i_ < jifl_nr_inst; i_++)			\
			if (jifl_inst[i_].p->hook)			\
				jifl_inst[i_].p->hook(jifl_inst[i_].priv, x); \
	} while (0)

static void hook_block(void *priv, struct jit_translator *t,
		       const struct jit_block *blk)
{
	struct jifl_xlate x = { .t = t, .blk = blk };

	FOR_EACH_HOOK(block, &x);
}

static void hook_insn(void *priv, struct jit_translator *t,
		      const struct jit_insn *in)
{
	struct jifl_xlate x = { .t = t, .blk = t->blk, .insn = in };

	FOR_EACH_HOOK(insn, &x);
}

static void hook_call(void *priv, struct jit_translator *t,
		      const struct jit_insn *in)
{
	struct jifl_xlate x = { .t = t, .blk = t->blk, .insn = in };

	FOR_EACH_HOOK(call, &x);
}

static void hook_ret(void *priv, struct jit_translator *t,
		     const struct jit_insn *in)
{
	struct jifl_xlate x = { .t = t, .blk = t->blk, .insn = in };

	FOR_EACH_HOOK(ret, &x);
}

static void hook_indirect(void *priv, struct jit_translator *t,
			  const struct jit_insn *in)
{
	struct jifl_xlate x = { .t = t, .blk = t->blk, .insn = in };

	FOR_EACH_HOOK(indirect, &x);
}

static struct jit_instr_ops jifl_plugin_ops;

u64 jifl_xlate_pc(const struct jifl_xlate *x)
{
	return x->insn ? x->insn->pc : x->blk->native_start;
}
EXPORT_SYMBOL_GPL(jifl_xlate_pc);

unsigned int jifl_xlate_insn_len(const struct jifl_xlate *x)
{
	return x->insn ? x->insn->len : x->blk->native_len;
}
EXPORT_SYMBOL_GPL(jifl_xlate_insn_len);

u32 jifl_xlate_block_id(const struct jifl_xlate *x)
{
	return x->blk->id;
}
EXPORT_SYMBOL_GPL(jifl_xlate_block_id);

static int jit_errno(int ret)
{
	switch (-ret) {
	case 0:
		return 0;
	case JIT_E_RANGE:
		return -ERANGE;
	case JIT_E_NOSPACE:
		return -ENOSPC;
	default:
		return -EINVAL;
	}
}

int jifl_insert_counter(struct jifl_xlate *x, u64 __percpu *counter)
{
	return jit_errno(jit_insert_counter(x->t,
					    (u64)(unsigned long)counter));
}
EXPORT_SYMBOL_GPL(jifl_insert_counter);

unsigned int jifl_xlate_block_insns(const struct jifl_xlate *x)
{
	return x->blk->nr_insns;
}
EXPORT_SYMBOL_GPL(jifl_xlate_block_insns);

int jifl_insert_counter_add(struct jifl_xlate *x, u64 __percpu *counter,
			    u32 n)
{
	if (n > S32_MAX)
		return -EINVAL;
	return jit_errno(jit_insert_counter_add(x->t,
						(u64)(unsigned long)counter,
						n));
}
EXPORT_SYMBOL_GPL(jifl_insert_counter_add);

/*
 * movb $1, abs32: c6 04 25 <abs32> 01; a JIFL_STORE_ONCE store is
 * preceded by "jmp .+2" (eb 00), whose displacement byte becomes 8 to
 * skip the store.
 */
#define STORE_LEN	8
#define ONCE_LEN	(2 + STORE_LEN)

int jifl_insert_store_byte(struct jifl_xlate *x, u8 *byte,
			   unsigned int flags)
{
	struct jit_emitter *e = &x->t->emit;
	s64 addr = (s64)(unsigned long)byte;
	static const u8 op[3] = { 0xc6, 0x04, 0x25 };
	unsigned int n;
	int ret = 0;

	if (flags & ~JIFL_STORE_ONCE)
		return -EINVAL;
	if (addr != (s64)(s32)addr)
		return -ERANGE;
	if (flags & JIFL_STORE_ONCE) {
		n = jifl_nr_once;
		if (jifl_once && n < JIFL_ONCE_MAX) {
			jifl_once[n].pc = jit_emit_pc(e);
			jifl_once[n].byte = byte;
			/* entries before the count, for the sweeper */
			smp_store_release(&jifl_nr_once, n + 1);
			jit_emit_u8(e, 0xeb);	/* jmp .+2 */
			jit_emit_u8(e, 0);
		} else {
			ret = -ENOSPC;
		}
	}
	jit_emit_bytes(e, op, sizeof(op));
	jit_emit_u32(e, (u32)addr);
	jit_emit_u8(e, 1);
	return ret;
}
EXPORT_SYMBOL_GPL(jifl_insert_store_byte);

u64 jifl_xlate_call_target(const struct jifl_xlate *x)
{
	const struct jit_translator *t = x->t;

	if (!x->insn || t->cur != t->blk->nr_insns - 1u ||
	    t->term != JIT_TERM_CALL)
		return 0;
	return x->insn->target;
}
EXPORT_SYMBOL_GPL(jifl_xlate_call_target);

int jifl_insert_event(struct jifl_xlate *x, u32 word0, unsigned int flags)
{
	if (flags & ~JIFL_EVENT_TARGET)
		return -EINVAL;
	if (!x->t->host->events)
		return -EOPNOTSUPP;
	return jit_errno(jit_insert_event(x->t, word0,
					  flags & JIFL_EVENT_TARGET ?
					  JIT_EVENT_TARGET : 0));
}
EXPORT_SYMBOL_GPL(jifl_insert_event);

bool jifl_events_inline(void)
{
	return jifl_rings_event_host();
}
EXPORT_SYMBOL_GPL(jifl_events_inline);

int jifl_insert_clean_call(struct jifl_xlate *x, void (*fn)(void),
			   unsigned int nr_args, const struct jifl_arg *args)
{
	struct jit_arg ja[JIT_CLEAN_CALL_MAX_ARGS];
	unsigned int i;

	BUILD_BUG_ON(JIFL_CLEAN_CALL_MAX_ARGS > JIT_CLEAN_CALL_MAX_ARGS);
	if (nr_args > JIFL_CLEAN_CALL_MAX_ARGS || (nr_args && !args))
		return -EINVAL;
	for (i = 0; i < nr_args; i++) {
		ja[i].value = 0;
		switch (args[i].kind) {
		case JIFL_ARG_CONST:
			ja[i].kind = JIT_ARG_CONST;
			ja[i].value = args[i].value;
			break;
		case JIFL_ARG_PC:
			if (!x->insn) {
				ja[i].kind = JIT_ARG_CONST;
				ja[i].value = x->blk->native_start;
			} else {
				ja[i].kind = JIT_ARG_NATIVE_PC;
			}
			break;
		case JIFL_ARG_NEXT_PC:
			ja[i].kind = JIT_ARG_CONST;
			ja[i].value = jifl_xlate_pc(x) + jifl_xlate_insn_len(x);
			break;
		case JIFL_ARG_BLOCK_ID:
			ja[i].kind = JIT_ARG_BLOCK_ID;
			break;
		case JIFL_ARG_TARGET:
			ja[i].kind = JIT_ARG_TARGET;
			break;
		case JIFL_ARG_SP:
			ja[i].kind = JIT_ARG_SP;
			break;
		default:
			return -EINVAL;
		}
	}
	return jit_errno(jit_insert_clean_call(x->t, (u64)(unsigned long)fn,
					       nr_args, ja));
}
EXPORT_SYMBOL_GPL(jifl_insert_clean_call);

u64 notrace jifl_event_clock(void)
{
	return ktime_get_mono_fast_ns();
}
EXPORT_SYMBOL_GPL(jifl_event_clock);

/* --- coverage stores that remove themselves --- */

/*
 * Skip every JIFL_STORE_ONCE store whose byte is set: its "jmp .+2"
 * becomes "jmp .+10" by a one-byte write of the displacement through the
 * cache's writable alias. One byte, so that a CPU decoding the jmp while
 * it changes (without the serialisation cross-modifying code would need)
 * sees one displacement or the other, never a mix of old and new bytes:
 * patching the store's first two bytes into a jmp was seen, under QEMU's
 * TCG, to run "c6 06 25" (a store through %rsi) made of one old and one
 * new byte. Stale entries (a translation that failed after the store was emitted,
 * whose cache space was reused) are recognised by their bytes and
 * dropped. Called under the session lock, so never during a cache reset.
 */
void jifl_plugins_sweep(void)
{
	u8 want[ONCE_LEN], *alias;
	unsigned int i, n;
	u32 addr;

	BUILD_BUG_ON(STORE_LEN != 3 + sizeof(addr) + 1);
	/* pairs with the release in jifl_insert_store_byte() */
	n = smp_load_acquire(&jifl_nr_once);

	want[0] = 0xeb;
	want[1] = 0;
	want[2] = 0xc6;
	want[3] = 0x04;
	want[4] = 0x25;
	want[ONCE_LEN - 1] = 1;
	for (i = 0; i < n; i++) {
		struct jifl_once *o = &jifl_once[i];

		if (!o->byte || !READ_ONCE(*o->byte))
			continue;
		alias = jifl_cache_alias + (o->pc - (u64)jifl_cache_area);
		addr = (u32)(unsigned long)o->byte;
		memcpy(want + 5, &addr, sizeof(addr));
		if (!memcmp(alias, want, ONCE_LEN)) {
			WRITE_ONCE(alias[1], STORE_LEN);
			jifl_once_removed++;
		}
		o->byte = NULL;
	}
}

/* Stores jifl_plugins_sweep() removed in this session */
u64 jifl_plugins_stores_removed(void)
{
	return jifl_once_removed;
}

/* --- the session's plugins --- */

/**
 * jifl_plugins_start() - instantiate the plugins a session selected
 * @names:	NUL-separated names
 * @len:	bytes at @names
 * @bad:	on -ESRCH, the name that is not registered
 * @bad_len:	size of @bad
 *
 * Only while no task is in the cache; the previous session's plugins
 * must have been released.
 *
 * Return: 0 or -errno; -ESRCH for an unknown name, -EINVAL for a
 * malformed list.
 */
int jifl_plugins_start(const char *names, size_t len, char *bad,
		       size_t bad_len)
{
	const char *n = names, *end = names + len;
	struct jifl_plugin *p;
	unsigned int i;
	int ret = 0;

	if (WARN_ON(jifl_nr_inst))
		return -EBUSY;
	jifl_nr_once = 0;
	jifl_once_removed = 0;
	jifl_inst_has_enter = false;
	jifl_inst_has_leave = false;
	mutex_lock(&jifl_registry_lock);
	for (; n < end; n += strnlen(n, end - n) + 1) {
		size_t l = strnlen(n, end - n);

		if (!l)
			continue;
		if (l == (size_t)(end - n) || l >= JIFL_PLUGIN_NAME_MAX) {
			ret = -EINVAL;	/* not NUL-terminated, too long */
			break;
		}
		p = find_plugin_locked(n);
		if (!p || !try_module_get(p->owner)) {
			strscpy(bad, n, bad_len);
			ret = -ESRCH;
			break;
		}
		for (i = 0; i < jifl_nr_inst; i++)
			if (jifl_inst[i].p == p)
				break;
		if (i < jifl_nr_inst) {		/* named twice */
			module_put(p->owner);
			continue;
		}
		if (jifl_nr_inst >= JIFL_PLUGINS_MAX) {
			module_put(p->owner);
			ret = -E2BIG;
			break;
		}
		jifl_inst[jifl_nr_inst].p = p;
		jifl_inst[jifl_nr_inst].priv = NULL;
		jifl_nr_inst++;
	}
	mutex_unlock(&jifl_registry_lock);
	if (ret)
		goto err_put;
	for (i = 0; i < jifl_nr_inst; i++) {
		p = jifl_inst[i].p;
		if (p->start) {
			ret = p->start(&jifl_inst[i].priv);
			if (ret) {
				pr_warn("plugin %s failed to start: %d\n",
					p->name, ret);
				/* those before it started: release them */
				while (i-- > 0)
					if (jifl_inst[i].p->release)
						jifl_inst[i].p->release(jifl_inst[i].priv);
				goto err_put;
			}
		}
		jifl_inst_has_enter |= !!p->enter;
		jifl_inst_has_leave |= !!p->leave;
	}
	return 0;

err_put:
	for (i = 0; i < jifl_nr_inst; i++)
		module_put(jifl_inst[i].p->owner);
	jifl_nr_inst = 0;
	return ret;
}

/* The translator hooks for the session's plugins, or NULL if none. */
const struct jit_instr_ops *jifl_plugins_ops(void)
{
	return jifl_nr_inst ? &jifl_plugin_ops : NULL;
}

bool jifl_plugins_want_leave(void)
{
	return jifl_inst_has_leave;
}

/* Whether the session's plugins are exactly @names (a restart). */
bool jifl_plugins_same(const char *names, size_t len)
{
	const char *n = names, *end = names + len;
	unsigned int i, found = 0;

	for (; n < end; n += strnlen(n, end - n) + 1) {
		if (!*n)
			continue;
		if (strnlen(n, end - n) == (size_t)(end - n))
			return false;
		for (i = 0; i < jifl_nr_inst; i++)
			if (!strcmp(jifl_inst[i].p->name, n))
				break;
		if (i == jifl_nr_inst)
			return false;
		found++;
	}
	return found >= jifl_nr_inst;
}

void jifl_plugins_stop(void)
{
	unsigned int i;

	for (i = 0; i < jifl_nr_inst; i++)
		if (jifl_inst[i].p->stop)
			jifl_inst[i].p->stop(jifl_inst[i].priv);
	jifl_plugins_sweep();
}

/* No task can run instrumentation any more: free the plugins' data. */
void jifl_plugins_release(void)
{
	unsigned int i;

	for (i = 0; i < jifl_nr_inst; i++) {
		if (jifl_inst[i].p->release)
			jifl_inst[i].p->release(jifl_inst[i].priv);
		module_put(jifl_inst[i].p->owner);
	}
	jifl_nr_inst = 0;
	jifl_inst_has_enter = false;
	jifl_inst_has_leave = false;
	jifl_nr_once = 0;
}

u64 jifl_plugins_block_count(u32 id)
{
	unsigned int i;

	for (i = 0; i < jifl_nr_inst; i++)
		if (jifl_inst[i].p->block_count)
			return jifl_inst[i].p->block_count(jifl_inst[i].priv,
							   id);
	return 0;
}

void notrace jifl_plugins_enter(unsigned long func, unsigned long ret_ip,
				unsigned long sp)
{
	unsigned int i;

	if (!jifl_inst_has_enter)
		return;
	for (i = 0; i < jifl_nr_inst; i++)
		if (jifl_inst[i].p->enter)
			jifl_inst[i].p->enter(jifl_inst[i].priv, func, ret_ip,
					      sp);
}

/* From jifl_tramp_exit_leave (dispatch_entry.S) */
void notrace jifl_plugins_leave(unsigned long sp, unsigned long retval)
{
	unsigned int i;

	for (i = 0; i < jifl_nr_inst; i++)
		if (jifl_inst[i].p->leave)
			jifl_inst[i].p->leave(jifl_inst[i].priv, sp, retval);
}

/* --- dumps --- */

struct jifl_dump_buf {
	u8 *buf;
	u64 cap;
	u64 len;	/* bytes the dump takes, even past @cap */
};

int jifl_dump_write(struct jifl_dump_buf *d, u32 type, const void *data,
		    u32 len)
{
	struct jifl_rec_header h;
	u64 size = ALIGN((u64)len + sizeof(h), 8);

	if (size > U32_MAX || (len && !data))
		return -EINVAL;
	if (d->len + size <= d->cap) {
		h.size = size;
		h.type = type;
		memcpy(d->buf + d->len, &h, sizeof(h));
		memcpy(d->buf + d->len + sizeof(h), data, len);
		memset(d->buf + d->len + sizeof(h) + len, 0,
		       size - sizeof(h) - len);
	}
	d->len += size;
	return 0;
}
EXPORT_SYMBOL_GPL(jifl_dump_write);

/**
 * jifl_plugins_dump() - JIFL_IOC_DUMP for one of the session's plugins
 * @name:	the plugin
 * @ubuf:	user buffer
 * @len:	in: its size; out: bytes written
 * @needed:	out: bytes of the whole dump
 *
 * Return: 0, -ESRCH, -EOPNOTSUPP, -ENOSPC, -ENOMEM or -EFAULT.
 */
int jifl_plugins_dump(const char *name, void __user *ubuf, u64 *len,
		      u64 *needed)
{
	struct jifl_dump_buf d = { .cap = *len };
	struct jifl_plugin *p = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < jifl_nr_inst; i++)
		if (!strcmp(jifl_inst[i].p->name, name))
			p = jifl_inst[i].p;
	if (!p)
		return -ESRCH;
	if (!p->dump)
		return -EOPNOTSUPP;
	for (i = 0; jifl_inst[i].p != p; i++)
		;
	/* measure first: allocate what the dump takes, not what was offered */
	d.cap = 0;
	ret = p->dump(jifl_inst[i].priv, &d);
	if (ret)
		return ret;
	d.cap = min(*len, d.len);
	d.len = 0;
	if (d.cap) {
		d.buf = kvzalloc(d.cap, GFP_KERNEL);
		if (!d.buf)
			return -ENOMEM;
	}
	ret = p->dump(jifl_inst[i].priv, &d);
	*needed = d.len;
	if (!ret && d.len > d.cap)
		ret = -ENOSPC;
	if (!ret && d.len && copy_to_user(ubuf, d.buf, d.len))
		ret = -EFAULT;
	*len = ret ? 0 : d.len;
	kvfree(d.buf);
	return ret;
}

int jifl_plugins_init(void)
{
	jifl_plugin_ops.block = hook_block;
	jifl_plugin_ops.insn = hook_insn;
	jifl_plugin_ops.call = hook_call;
	jifl_plugin_ops.ret = hook_ret;
	jifl_plugin_ops.indirect = hook_indirect;
	jifl_once = vmalloc_array(JIFL_ONCE_MAX, sizeof(*jifl_once));
	if (!jifl_once)
		return -ENOMEM;
	return 0;
}

void jifl_plugins_exit(void)
{
	vfree(jifl_once);
	jifl_once = NULL;
}
