// SPDX-License-Identifier: MIT
#include "core/esr.h"

const char *esr_ec_name(unsigned int ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "unknown";
	case EC_WFX:
		return "WFI/WFE";
	case EC_CP15_32:
	case EC_CP15_64:
		return "AArch32 CP15 access";
	case EC_CP14_32:
	case EC_CP14_LS:
	case EC_CP14_64:
		return "AArch32 CP14 access";
	case EC_FP:
		return "FP/SIMD access";
	case EC_PAUTH:
		return "pointer authentication";
	case EC_ILLEGAL:
		return "illegal execution state";
	case EC_SVC64:
		return "SVC";
	case EC_HVC64:
		return "HVC";
	case EC_SMC64:
		return "SMC";
	case EC_SYS64:
		return "system register access";
	case EC_SVE:
		return "SVE access";
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment";
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment";
	case EC_SERROR:
		return "SError";
	case EC_BRK64:
		return "BRK";
	default:
		return "other";
	}
}
