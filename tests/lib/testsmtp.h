/*
 * testsmtp: a real SMTP peer for integration tests (issue 8): Debian's aiosmtpd, run
 * with /usr/bin/python3 (never the python3 on PATH), its Mailbox handler writing every
 * message it accepts as one file in BOX/new. The peer is stopped at exit.
 */
#ifndef TESTSMTP_H
#define TESTSMTP_H

#include <stdbool.h>

/* Starts the peer on a free loopback port, storing into box (must not exist yet); returns the
 * port. Fails the test when it does not answer within 10 s. */
int t_smtp_start(const char *box);
/* A loopback port free right now (for a test that talks to the peer's port before the
 * peer runs). */
int t_smtp_free_port(void);
/* t_smtp_start on a given port. */
void t_smtp_start_at(int port, const char *box);
/* Stops the peer (SIGTERM, waited for). No-op when none runs. */
void t_smtp_stop(void);
/* Appends an [smtp] section to DIR/candor.conf sending to the peer at port (no
 * STARTTLS: the peer offers none) from candor@example.org. */
void t_smtp_configure(const char *dir, int port);
/* Messages in box/new holding every NULL-terminated needle. */
int t_smtp_count(const char *box, const char *needle, ...);
/* The text of the first message in box/new holding every needle (malloc'd), or NULL. */
char *t_smtp_find(const char *box, const char *needle, ...);

#endif
