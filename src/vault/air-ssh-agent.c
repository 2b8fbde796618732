/* air-ssh-agent.c
 *
 * The vault's side of split SSH: a gateway sends agent requests over
 * qrexec, the vault answers with the public key and with signatures; the
 * private key never leaves this process. Only two requests are served
 * (identities, sign); everything else, including adding or removing keys,
 * gets SSH_AGENT_FAILURE. A frame that cannot be read (truncated, larger
 * than AIR_SSH_AGENT_MAX_FRAME) ends the connection with an error.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sodium.h>
#include <unistd.h>

#include "air-error.h"
#include "air-ssh-agent.h"
#include "air-ssh-key.h"
#include "air-ssh-wire.h"

/* SSH_AGENT_RSA_SHA2_256 and _512 only matter for RSA keys. */
#define KNOWN_SIGN_FLAGS 0x6

struct _AirSshAgent
{
  AirSecret *secret_key;
  GBytes    *public_blob;
  char      *comment;
};

/* Takes @secret_key. */
AirSshAgent *
air_ssh_agent_new (AirSecret   *secret_key,
                   const char  *comment,
                   GError     **error)
{
  g_autoptr(AirSecret) key = secret_key;
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  AirSshAgent *self;

  if (!air_ssh_key_public_from_secret (key, public_key, error))
    return NULL;

  self = g_new0 (AirSshAgent, 1);
  self->secret_key = g_steal_pointer (&key);
  self->public_blob = air_ssh_key_public_blob (public_key);
  self->comment = g_strdup (comment);
  return self;
}

void
air_ssh_agent_free (AirSshAgent *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->secret_key, air_secret_free);
  g_clear_pointer (&self->public_blob, g_bytes_unref);
  g_clear_pointer (&self->comment, g_free);
  g_free (self);
}

static GBytes *
failure (void)
{
  static const guint8 answer[] = { AIR_SSH_AGENT_FAILURE };

  return g_bytes_new_static (answer, sizeof answer);
}

static GBytes *
identities_answer (AirSshAgent *self)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 type = AIR_SSH_AGENT_IDENTITIES_ANSWER;

  g_byte_array_append (out, &type, 1);
  air_ssh_put_u32 (out, 1);
  air_ssh_put_string (out, g_bytes_get_data (self->public_blob, NULL),
                      g_bytes_get_size (self->public_blob));
  air_ssh_put_string (out, self->comment, strlen (self->comment));
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
sign_response (AirSshAgent  *self,
               AirSshReader *reader)
{
  g_autoptr(GByteArray) signature = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 sig[AIR_ED25519_SIGNATURE_BYTES];
  guint8 type = AIR_SSH_AGENT_SIGN_RESPONSE;
  const guint8 *blob, *data;
  gsize blob_len, data_len;
  guint32 flags;

  if (!air_ssh_read_string (reader, &blob, &blob_len) ||
      !air_ssh_read_string (reader, &data, &data_len) ||
      !air_ssh_read_u32 (reader, &flags) ||
      reader->left != 0 ||
      (flags & ~KNOWN_SIGN_FLAGS) != 0)
    return failure ();

  if (blob_len != g_bytes_get_size (self->public_blob) ||
      memcmp (blob, g_bytes_get_data (self->public_blob, NULL), blob_len) != 0)
    return failure ();

  crypto_sign_detached (sig, NULL, data, data_len, self->secret_key->data);

  air_ssh_put_string (signature, "ssh-ed25519", strlen ("ssh-ed25519"));
  air_ssh_put_string (signature, sig, sizeof sig);

  g_byte_array_append (out, &type, 1);
  air_ssh_put_string (out, signature->data, signature->len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* @message is one frame's body (type byte and contents, no length);
 * returns the answer's body. Never fails: a request it cannot serve gets
 * SSH_AGENT_FAILURE, as the protocol says. */
GBytes *
air_ssh_agent_handle (AirSshAgent  *self,
                      const guint8 *message,
                      gsize         len)
{
  AirSshReader reader;
  guint8 type;

  air_ssh_reader_init (&reader, message, len);
  if (!air_ssh_read_u8 (&reader, &type))
    return failure ();

  switch (type)
    {
    case AIR_SSH_AGENTC_REQUEST_IDENTITIES:
      return reader.left == 0 ? identities_answer (self) : failure ();

    case AIR_SSH_AGENTC_SIGN_REQUEST:
      return sign_response (self, &reader);

    default:
      return failure ();
    }
}

/* 0: end of input before any byte, 1: all read, -1: error set. */
static int
read_exactly (int       fd,
              guint8   *buffer,
              gsize     len,
              GError  **error)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = read (fd, buffer + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Could not read an ssh-agent request: %s"), g_strerror (saved));
          return -1;
        }
      if (n == 0)
        {
          if (done == 0)
            return 0;
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("The ssh-agent request was cut off"));
          return -1;
        }
      done += n;
    }

  return 1;
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          len,
           GError       **error)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = write (fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Could not write an ssh-agent answer: %s"), g_strerror (saved));
          return FALSE;
        }
      done += n;
    }

  return TRUE;
}

/* Serves requests until the peer closes its end. */
gboolean
air_ssh_agent_serve (AirSshAgent  *self,
                     int           in_fd,
                     int           out_fd,
                     GError      **error)
{
  g_autofree guint8 *frame = g_malloc (AIR_SSH_AGENT_MAX_FRAME);

  for (;;)
    {
      g_autoptr(GBytes) answer = NULL;
      guint8 header[4], out_header[4];
      gsize answer_len;
      guint32 len;
      int status;

      status = read_exactly (in_fd, header, sizeof header, error);
      if (status == 0)
        return TRUE;
      if (status < 0)
        return FALSE;

      len = ((guint32) header[0] << 24) | ((guint32) header[1] << 16) |
            ((guint32) header[2] << 8) | (guint32) header[3];
      if (len > AIR_SSH_AGENT_MAX_FRAME)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("An ssh-agent request of %u bytes is larger than the limit of %d"),
                       len, AIR_SSH_AGENT_MAX_FRAME);
          return FALSE;
        }

      if (len > 0)
        {
          status = read_exactly (in_fd, frame, len, error);
          if (status == 0)
            g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                                 _("The ssh-agent request was cut off"));
          if (status != 1)
            return FALSE;
        }

      answer = air_ssh_agent_handle (self, frame, len);
      answer_len = g_bytes_get_size (answer);
      out_header[0] = answer_len >> 24;
      out_header[1] = answer_len >> 16;
      out_header[2] = answer_len >> 8;
      out_header[3] = answer_len;
      if (!write_all (out_fd, out_header, sizeof out_header, error) ||
          !write_all (out_fd, g_bytes_get_data (answer, NULL), answer_len, error))
        return FALSE;
    }
}
