/* fuzz-ssh-agent.c — fuzz target: the vault's ssh-agent protocol
 *
 * The input is what a gateway could send: a byte stream of agent frames.
 * It goes through the frame loop (air_ssh_agent_serve) and, cut into
 * messages, through air_ssh_agent_handle. Every answer must be well
 * formed, and a signature must verify.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-ssh-agent"

#include "config.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "air-ssh-agent.h"
#include "air-ssh-key.h"
#include "air-ssh-wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static AirSshAgent *
fuzz_agent (guint8 public_key[AIR_ED25519_PUBLIC_BYTES])
{
  static const guint8 seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  AirSecret *secret;

  if (sodium_init () < 0)
    abort ();
  secret = air_secret_new (AIR_ED25519_SECRET_BYTES);
  crypto_sign_seed_keypair (public_key, secret->data, seed);
  secret->len = AIR_ED25519_SECRET_BYTES;
  return air_ssh_agent_new (secret, "fuzz", NULL);
}

static void
check_answer (GBytes       *answer,
              const guint8 *message,
              gsize         len,
              const guint8  public_key[AIR_ED25519_PUBLIC_BYTES])
{
  const guint8 *bytes = g_bytes_get_data (answer, NULL);
  gsize answer_len = g_bytes_get_size (answer);
  AirSshReader reader, request;
  const guint8 *signature, *sig, *name, *blob, *signed_data;
  gsize signature_len, sig_len, name_len, blob_len, signed_len;
  guint8 type;

  air_ssh_reader_init (&reader, bytes, answer_len);
  if (!air_ssh_read_u8 (&reader, &type))
    abort ();

  if (type == AIR_SSH_AGENT_FAILURE || type == AIR_SSH_AGENT_IDENTITIES_ANSWER)
    return;
  if (type != AIR_SSH_AGENT_SIGN_RESPONSE)
    abort ();

  /* A signature was made: over exactly the data asked for, and valid. */
  air_ssh_reader_init (&request, message + 1, len - 1);
  if (!air_ssh_read_string (&request, &blob, &blob_len) ||
      !air_ssh_read_string (&request, &signed_data, &signed_len) ||
      !air_ssh_read_string (&reader, &signature, &signature_len))
    abort ();
  air_ssh_reader_init (&reader, signature, signature_len);
  if (!air_ssh_read_string (&reader, &name, &name_len) ||
      !air_ssh_string_equal (name, name_len, "ssh-ed25519") ||
      !air_ssh_read_string (&reader, &sig, &sig_len) || sig_len != crypto_sign_BYTES ||
      crypto_sign_verify_detached (sig, signed_data, signed_len, public_key) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static AirSshAgent *agent;
  static guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  FILE *in, *out;
  gsize pos = 0;

  if (agent == NULL)
    agent = fuzz_agent (public_key);

  /* The stream, as the frame loop reads it from stdin. */
  in = tmpfile ();
  out = tmpfile ();
  if (in == NULL || out == NULL)
    abort ();
  if (size > 0 && fwrite (data, 1, size, in) != size)
    abort ();
  fflush (in);
  rewind (in);
  air_ssh_agent_serve (agent, fileno (in), fileno (out), NULL);
  fclose (in);
  fclose (out);

  /* The messages, cut at the lengths the input gives (one byte each). */
  while (pos < size)
    {
      gsize len = MIN ((gsize) data[pos], size - pos - 1);
      GBytes *answer = air_ssh_agent_handle (agent, data + pos + 1, len);

      check_answer (answer, data + pos + 1, len, public_key);
      g_bytes_unref (answer);
      pos += len + 1;
    }

  return 0;
}
