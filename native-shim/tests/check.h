/* check.h: the smallest assertion helper for the core's unit tests. */
#ifndef SEGUE_CHECK_H
#define SEGUE_CHECK_H
#include <stdio.h>
static int check_failures, check_count;
#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_DONE(name) (printf("%s: %d checks, %d failed\n", name, check_count, check_failures), check_failures ? 1 : 0)
#endif
