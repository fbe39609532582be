/*
 * curve.h: CurveZMQ keys, for a daemon that listens with `--curve-keys DIR` (a remote studio machine).
 *
 * The daemon's public key comes as the producer has it: the 40 Z85 characters, or the daemon's
 * `server.public` certificate (ZeroMQ's ZPL text, `public-key = "..."`), or the path of that file.
 * The plugin's own key pair lives once per user in the settings folder (platform.h): `client.secret`
 * (both keys, mode 0600) and `client.public` (the public key in the same certificate format, the file the
 * daemon's operator copies into its `clients/` folder). Both are made with zmq_curve_keypair on first use.
 * Client and control threads only: these read and write files.
 */
#ifndef SEGUE_CURVE_H
#define SEGUE_CURVE_H

#include <stddef.h>

#define SEGUE_Z85_KEY_CHARS 40

/* The daemon's public key from a value as above; 0 and out (41 bytes, NUL-terminated) on success, else
 * -1 and the reason in why. */
int segue_curve_server_key(const char *value, char out[SEGUE_Z85_KEY_CHARS + 1], char *why, size_t why_cap);

/* The user's client key pair, read from the settings folder or created there on first use; 0 on success.
 * public_path receives the path of client.public (what the daemon's operator needs). */
int segue_curve_client_keys(char pub[SEGUE_Z85_KEY_CHARS + 1], char sec[SEGUE_Z85_KEY_CHARS + 1], char *public_path,
                            size_t path_cap, char *why, size_t why_cap);

#endif
