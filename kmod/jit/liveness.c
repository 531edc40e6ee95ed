// SPDX-License-Identifier: GPL-2.0
/*
 * EFLAGS liveness for the block translator.
 *
 * Instrumentation that changes flags (inc, the and of a clean call's stack
 * alignment) must save and restore them only where some later instruction
 * reads them before rewriting them.  Saving costs a pushf/popf pair (popf is
 * slow: it is serialising for some bits), so the answer matters on every
 * block.  Within a block the analysis is exact backward dataflow over the
 * decoder's read/written sets; past the block it looks a bounded distance
 * into the successors and otherwise assumes every flag is read.
 *
 * Two ABI facts are used: flags are neither arguments nor results of
 * functions, so they are dead at a call's target and after a ret.  Code
 * that passes values in flags across call/ret (none in the SysV ABI or the
 * kernel's C) would need its blocks marked untranslatable.
 */
#include "translate.h"

/* How far the successor scan goes before giving up (instructions) */
#define LIVENESS_SCAN_MAX	16

unsigned int jit_insn_flags_killed(const struct jit_insn *insn)
{
	if (insn->map == JIT_MAP_1BYTE) {
		/* shift/rotate group 2 by %cl: count 0 writes nothing */
		if (insn->opcode == 0xd2 || insn->opcode == 0xd3)
			return 0;
		/* by imm8: count masked to 0 writes nothing either */
		if ((insn->opcode == 0xc0 || insn->opcode == 0xc1) &&
		    !(insn->imm & 0x3f))
			return 0;
	}
	/* shld/shrd by %cl */
	if (insn->map == JIT_MAP_0F &&
	    (insn->opcode == 0xa5 || insn->opcode == 0xad))
		return 0;
	return insn->flags_written;
}

unsigned int jit_flags_live_in(const struct jit_host *host, u64 pc)
{
	unsigned int live = 0, killed = 0;
	unsigned int i;

	for (i = 0; i < LIVENESS_SCAN_MAX; i++) {
		struct jit_insn insn;
		u8 code[JIT_INSN_MAX_LEN];
		unsigned int avail;

		if (host->untranslatable && host->untranslatable(host->priv, pc))
			break;
		avail = host->read_code(host->priv, pc, code, sizeof(code));
		if (!avail || jit_decode(&insn, code, avail, pc) <= 0)
			break;
		live |= insn.flags_read & ~killed;
		switch (insn.flow) {
		case JIT_FLOW_RET:
		case JIT_FLOW_CALL:
		case JIT_FLOW_CALL_IND:
			/* ABI: nothing past here reads these flags */
			return live;
		case JIT_FLOW_NEXT:
			killed |= jit_insn_flags_killed(&insn);
			/* DF is rarely rewritten: decide on the arithmetic */
			if ((killed & JIT_EFL_ARITH) == JIT_EFL_ARITH)
				return live | (JIT_EFL_DF & ~killed);
			pc += insn.len;
			continue;
		case JIT_FLOW_JMP:
			/* one successor: follow it (switch cases join) */
			pc = insn.target;
			continue;
		default:
			/* other transfers: unknown successors read the rest */
			break;
		}
		break;
	}
	return live | (JIT_EFL_ALL & ~killed);
}
