/* SPDX-License-Identifier: MIT */
/*
 * The kernel's NTP state as the preload reads it at a process start:
 * "synchronized MAXERROR_US" or "unsynchronized" (multihost cases).
 */
#include <stdio.h>
#include <sys/timex.h>

int main(void)
{
	struct timex tx = { .modes = 0 };
	int st = adjtimex(&tx);

	if (st < 0) {
		perror("adjtimex");
		return 2;
	}
	if (st == TIME_ERROR) {
		printf("unsynchronized\n");
	} else {
		printf("synchronized %ld\n", tx.maxerror);
	}
	return 0;
}
