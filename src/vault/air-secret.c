/* air-secret.c
 *
 * Every secret the vault handles lives in one of these: read from stdin
 * straight into locked memory, handed to libsecret without a copy, and
 * zeroed before the memory is given back.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-secret.h"

gboolean
air_secret_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                           _("libsodium could not be initialised"));
      return FALSE;
    }
  return TRUE;
}

AirSecret *
air_secret_new (gsize size)
{
  AirSecret *secret = g_new0 (AirSecret, 1);

  secret->size = MAX (size, 1);
  secret->data = sodium_malloc (secret->size);
  if (secret->data == NULL)
    g_error ("Out of locked memory (%" G_GSIZE_FORMAT " bytes)", secret->size);
  sodium_memzero (secret->data, secret->size);
  return secret;
}

AirSecret *
air_secret_new_copy (const void *data,
                     gsize       len)
{
  AirSecret *secret = air_secret_new (len);

  memcpy (secret->data, data, len);
  secret->len = len;
  return secret;
}

void
air_secret_free (AirSecret *secret)
{
  if (secret == NULL)
    return;

  /* sodium_free() zeroes too; say it here as well. */
  sodium_memzero (secret->data, secret->size);
  sodium_free (secret->data);
  g_free (secret);
}

/* Frees the struct and hands its locked memory over to a new owner, who
 * gives it back with air_secret_data_free() (which zeroes it). */
guint8 *
air_secret_steal_data (AirSecret *secret)
{
  guint8 *data = secret->data;

  g_free (secret);
  return data;
}

void
air_secret_data_free (gpointer data)
{
  if (data != NULL)
    sodium_free (data);
}

/* Fails rather than grows: a secret is never moved around the heap. */
gboolean
air_secret_append (AirSecret  *secret,
                   const void *data,
                   gsize       len)
{
  if (len > secret->size - secret->len)
    return FALSE;

  memcpy (secret->data + secret->len, data, len);
  secret->len += len;
  return TRUE;
}

/* Reads @fd to its end. More than @max_len bytes is an error, and so is a
 * read failure; the message never contains what was read. */
AirSecret *
air_secret_read_fd (int      fd,
                    gsize    max_len,
                    GError **error)
{
  g_autoptr(AirSecret) secret = air_secret_new (max_len + 1);

  for (;;)
    {
      gssize n = read (fd, secret->data + secret->len, secret->size - secret->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Could not read the request: %s"), g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;

      secret->len += n;
      if (secret->len > max_len)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("The request is larger than the limit of %lu bytes"),
                       (unsigned long) max_len);
          return NULL;
        }
    }

  return g_steal_pointer (&secret);
}

gboolean
air_secret_write_fd (const AirSecret  *secret,
                     int               fd,
                     GError          **error)
{
  gsize done = 0;

  while (done < secret->len)
    {
      gssize n = write (fd, secret->data + done, secret->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Could not write the answer: %s"), g_strerror (saved));
          return FALSE;
        }
      done += n;
    }

  return TRUE;
}

/* For the copies a parser made before the secret reached locked memory. */
void
air_secret_wipe_string (char *string)
{
  if (string != NULL)
    sodium_memzero (string, strlen (string));
}
