/* SPDX-License-Identifier: MIT */
/* Compiles Skiff's freestanding libc under other names, to test it beside the host's. */
#define memcpy	skiff_memcpy
#define memmove skiff_memmove
#define memset	skiff_memset
#define memcmp	skiff_memcmp
#define memchr	skiff_memchr
#define strlen	skiff_strlen
#define strnlen skiff_strnlen
#define strchr	skiff_strchr
#define strrchr skiff_strrchr
#define strcmp	skiff_strcmp
#define strncmp skiff_strncmp
#define strtoul skiff_strtoul
