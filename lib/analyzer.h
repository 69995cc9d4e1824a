/* SPDX-License-Identifier: ISC */
/*
 * analyzer: GCC_LEAK_FP_BEGIN and GCC_LEAK_FP_END go around a function in
 * which gcc 12's -fanalyzer loses track of a pointer stored at a variable
 * index of an array, or through a pointer to a field of an array's
 * element, and reports it leaked when it is not (valgrind and ASan, which
 * run the same code, find no leak there).  Other compilers see nothing.
 * Each use says which pointer it is about.
 */
#ifndef SLUICE_ANALYZER_H
#define SLUICE_ANALYZER_H

#if defined(__GNUC__) && !defined(__clang__)
#define GCC_LEAK_FP_BEGIN _Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wanalyzer-malloc-leak\"")
#define GCC_LEAK_FP_END _Pragma("GCC diagnostic pop")
#else
#define GCC_LEAK_FP_BEGIN
#define GCC_LEAK_FP_END
#endif

#endif
