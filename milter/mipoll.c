/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mipoll - libmilter's poll(), so that it reads what the MTA sent before
 * it sees the MTA hang up.
 *
 * DESCRIPTION
 *	libmilter waits for the next command with poll() and gives up on the
 *	connection as soon as poll() reports POLLHUP, even when POLLIN says
 *	that commands are still waiting to be read. An MTA that sends MAIL
 *	(negotiated "no reply"), then QUIT, and closes its end of a unix
 *	socket before the milter thread comes round to read them leaves
 *	both bits set: libmilter then drops MAIL and QUIT unread and calls
 *	only close, and a MAIL-stage refusal held for the first RCPT is
 *	never decided, so never logged. Sendmail does exactly that for a
 *	client that leaves after MAIL; whether the thread reads first is a
 *	matter of scheduling, so a loaded machine loses the decision line.
 *
 *	The program's definition comes first for the shared library too (as
 *	with sigwait() in main.c): where data is waiting, POLLHUP is left
 *	out, so the reader reads it; once it is read, read() returns 0 and
 *	libmilter ends the connection as at any end of file, calling abort
 *	inside a transaction and then close. The main loop's poll() on its
 *	wake-up pipe is the only other caller in the daemon, and a reader
 *	there is served the same way.
 */
#include "acconfig.h"

/* Fortified headers define poll() as an inline wrapper: this file defines
 * the function itself, so it takes the plain declaration. */
#undef _FORTIFY_SOURCE

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

/* poll - libc's poll(), with POLLHUP left out where POLLIN is set */
int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    struct timespec ts, *tsp = NULL;
    int n;

    if (timeout >= 0) {
        ts.tv_sec = timeout / 1000;
        ts.tv_nsec = (long) (timeout % 1000) * 1000000L;
        tsp = &ts;
    }
    if ((n = ppoll(fds, nfds, tsp, NULL)) > 0)
        for (nfds_t i = 0; i < nfds; i++)
            if ((fds[i].revents & POLLIN) && (fds[i].revents & POLLHUP))
                fds[i].revents &= ~POLLHUP;
    return n;
}
